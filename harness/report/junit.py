"""JUnit stays pytest's own `--junitxml`; this only names each check's testcase by its check id.

CI dashboards key test history by testcase name, and a check id (`AUTH-001`) survives a test being
renamed or moved, where a pytest node id does not. The original node id stays in the classname and
the `check_id` property, so nothing is lost.
"""

from __future__ import annotations

import pytest

# `record_xml_attribute` (public, but experimental and per-test) is built on the same key; a hook here
# names every check's testcase without each test asking for a fixture.
from _pytest.junitxml import xml_key

from harness.report.model import junit_name


class JunitCheckNames:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        check_id = dict(report.user_properties).get("check_id")
        if check_id is None:
            return
        xml = self.config.stash.get(xml_key, None)
        if xml is not None:
            xml.node_reporter(report).add_attribute("name", junit_name(str(check_id), report.nodeid))
