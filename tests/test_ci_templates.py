"""The CI templates and Kubernetes manifests in docs/ are valid files and call the harness with options it
has. Validated offline: GitHub Actions and GitLab CI against the schemas check-jsonschema vendors (the
ones the editors use), the manifests against Kubernetes 1.31's OpenAPI schemas (kubernetes-validate,
strict), the Jenkins recipe with `bash -n`. Not run here: the workflows themselves (they need GitHub,
GitLab, a cluster) and actionlint (not installable offline)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness.catalog import parse_scenarios
from harness.report.exit_policy import parse_fail_on
from tests.conftest import REPO

CI = REPO / "docs" / "ci"
KUBERNETES = REPO / "docs" / "kubernetes"
BIN = Path(sys.executable).parent


def validate_schema(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", schema, str(path)],
                          capture_output=True, text=True, check=False, timeout=120)


@pytest.mark.parametrize(("schema", "name"), [("vendor.github-workflows", "github-actions.yml"),
                                              ("vendor.gitlab-ci", "gitlab-ci.yml")])
def test_ci_file_matches_its_schema(schema: str, name: str, tmp_path: Path) -> None:
    result = validate_schema(schema, CI / name)
    assert result.returncode == 0, result.stdout + result.stderr
    broken = tmp_path / name  # positive control: the validator does refuse a broken file
    broken.write_text(yaml.safe_dump({**yaml.safe_load((CI / name).read_text()), "stages": 5, "jobs": 5}))
    assert validate_schema(schema, broken).returncode != 0


@pytest.mark.parametrize("path", sorted(p for p in KUBERNETES.glob("*.yaml") if "values" not in p.name),
                         ids=lambda p: p.name)
def test_manifest_matches_the_kubernetes_schema(path: Path) -> None:
    result = subprocess.run([str(BIN / "kubernetes-validate"), "--strict", "--quiet", str(path)],
                            capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_kubernetes_validation_refuses_a_broken_manifest(tmp_path: Path) -> None:
    job = yaml.safe_load((KUBERNETES / "job.yaml").read_text())
    job["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = 5
    broken = tmp_path / "job.yaml"
    broken.write_text(yaml.safe_dump(job))
    result = subprocess.run([str(BIN / "kubernetes-validate"), "--strict", "--quiet", str(broken)],
                            capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode != 0


def test_jenkins_recipe_is_valid_bash() -> None:
    assert subprocess.run(["bash", "-n", str(CI / "jenkins.sh")], check=False).returncode == 0


def _joined(text: str) -> str:
    """Shell continuation lines and YAML folded scalars as one line each."""
    return re.sub(r"\\\n\s*", " ", text)


def harness_arguments() -> dict[str, list[str]]:
    """What each template passes to the harness: after the image in `docker run`, after `pytest`, or the
    Pod's args."""
    found: dict[str, list[str]] = {}
    for name in ("github-actions.yml", "jenkins.sh"):
        line = next(line for line in _joined((CI / name).read_text()).splitlines() if "docker run" in line)
        tokens = shlex.split(line.split("docker run", 1)[1].replace('"${baseline[@]}"', "").replace("$baseline", ""))
        image = next(i for i, token in enumerate(tokens) if "camunda-harness" in token or token == '$IMAGE'
                     or token.startswith("${IMAGE") or token == "$IMAGE")
        found[name] = tokens[image + 1:]
    script = yaml.safe_load((CI / "gitlab-ci.yml").read_text())["camunda-security-nightly"]["script"]
    command = next(line for line in script if line.strip().startswith("pytest"))
    found["gitlab-ci.yml"] = shlex.split(command.replace("$BASELINE", ""))[1:]
    for manifest in ("job.yaml", "cronjob.yaml"):
        spec = yaml.safe_load((KUBERNETES / manifest).read_text())["spec"]
        pod = (spec.get("jobTemplate", {}).get("spec") or spec)["template"]["spec"]
        found[manifest] = pod["containers"][0]["args"]
    return found


@pytest.fixture(scope="module")
def pytest_help() -> str:
    return subprocess.run([sys.executable, "-m", "pytest", "--help"], capture_output=True, text=True, check=True,
                          cwd=REPO, timeout=120).stdout


def known(option: str, pytest_help: str) -> bool:
    return re.search(rf"^\s+{re.escape(option)}[=\s,]", pytest_help, re.MULTILINE) is not None


def test_option_check_refuses_an_unknown_option(pytest_help: str) -> None:
    assert known("--scenario", pytest_help) and not known("--no-such-option", pytest_help)


@pytest.mark.parametrize(("name", "arguments"), sorted(harness_arguments().items()))
def test_template_uses_options_the_harness_has(name: str, arguments: list[str], pytest_help: str) -> None:
    options = dict(argument.split("=", 1) if "=" in argument else (argument, "") for argument in arguments
                   if argument.startswith("--"))
    assert {"--scenario", "--target", "--report-dir", "--fail-on"} <= set(options), options
    unknown = [option for option in options if not known(option, pytest_help)]
    assert not unknown, f"{name} passes options pytest and the plugin do not have: {unknown}"
    parse_scenarios(options["--scenario"])
    parse_fail_on(options["--fail-on"].replace('"$FAIL_ON"', "high").replace("$FAIL_ON", "high"))


def test_helm_values_pin_the_audiences_the_example_target_declares() -> None:
    """The chart's values (global.identity.auth.<app>.audience, the issuer, the Ingress hosts where TLS
    ends) and the ConfigMap's target file agree, so a release installed with them accepts the tokens the
    harness asks for at the addresses it calls."""
    values = yaml.safe_load((KUBERNETES / "camunda-platform-values.yaml").read_text())
    auth = values["global"]["identity"]["auth"]
    configmap = yaml.safe_load((KUBERNETES / "configmap.yaml").read_text())
    target = yaml.safe_load(configmap["data"]["target.yaml"])
    assert auth["zeebe"]["audience"] == target["clients"]["default"]["audience"]
    assert {app: app_auth["audience"] for app, app_auth in auth.items() if isinstance(app_auth, dict)} == {
        "zeebe": "zeebe-api", "operate": "operate-api", "optimize": "optimize-api"}
    assert auth["issuer"] == target["identity"]["issuer"]
    assert target["identity"]["token_url"].startswith(f"https://{values['global']['ingress']['host']}/auth/")
    grpc = values["zeebeGateway"]["ingress"]["grpc"]
    assert target["gateway"]["address"] == f"{grpc['host']}:443" and grpc["tls"]["enabled"]
