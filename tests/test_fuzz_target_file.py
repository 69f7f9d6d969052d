"""The target-file loader under arbitrary input: whatever the bytes, a Target or one UsageError line,
never another exception, in bounded time (hypothesis, a bounded number of examples)."""

from __future__ import annotations

import string
import tempfile
import time
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import config
from harness.errors import UsageError

FIELDS = ["name", "gateway", "identity", "optimize", "operate", "search", "vault", "clients", "workers",
          "capabilities", "ca_file", "headers", "load", "address", "url", "tls", "token_url", "password", "*", "&"]
LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                   st.text(string.printable, max_size=40), st.sampled_from(FIELDS))
DOCUMENTS = st.recursive(LEAVES, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(st.sampled_from(FIELDS), inner, max_size=5)),
                         max_leaves=30)
PER_EXAMPLE_S = 2.0


def loaded_or_refused(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "target.yaml"
        path.write_bytes(raw)
        started = time.monotonic()
        try:
            config.load(path, environ={})
        except UsageError as exc:
            assert "\n" not in str(exc) and "Traceback" not in str(exc)
        assert time.monotonic() - started < PER_EXAMPLE_S


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_any_yaml_document_is_a_target_or_one_line(document: object) -> None:
    loaded_or_refused(yaml.safe_dump(document, allow_unicode=True).encode())


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_are_a_target_or_one_line(raw: bytes) -> None:
    loaded_or_refused(raw)
