"""Hostile or broken input files: each is refused with exactly one line naming the file (or field) and
the problem, exit 4 from pytest and 2 from `harness doctor`, never a traceback, never a hang."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from harness import cli

pytest_plugins = ["pytester"]


@dataclasses.dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


Run = Callable[..., Ran]


@pytest.fixture
def tmp_path(pytester: pytest.Pytester) -> Path:
    """Each case's folder is the in-process pytest's working directory."""
    return pytester.path


@pytest.fixture
def run_pytest(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Run:
    """pytest with the plugin, in this process: these runs end at configure time, so a subprocess per
    case (1.3 s each) would only add interpreter starts."""
    def run(args: list[str], env: dict[str, str] | None = None) -> Ran:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        result = pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)
        return Ran(int(result.ret), "\n".join(result.outlines), "\n".join(result.errlines))
    return run


VALID_TARGET = "gateway: {address: 'gw.example:26500'}\n"
# 9 levels of 9-fold alias expansion: under 1 KB on disk, 9^9 nodes in memory if expanded.
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))


def fifo(path: Path) -> None:
    os.mkfifo(path)


def write(text: str | bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(text if isinstance(text, bytes) else text.encode())


TARGET_CASES = {
    "fifo": (fifo, "is not a regular file"),
    "binary": (write(b"\x89PNG\r\n\x1a\n\x00\xff\xfe"), "is not UTF-8 text"),
    "alias-bomb": (write(ALIAS_BOMB), "aliases (*name) are not allowed"),
    "deep-nesting": (write("a: " + "[" * 3000 + "]" * 3000 + "\n"), "nested deeper than 32 levels"),
    "duplicate-key": (write(VALID_TARGET + "gateway: {address: 'other:26500'}\n"), "duplicate or unhashable key 'gateway'"),
    "oversized": (write("# padding\n" * 200_000), "at most 1000000 are read"),
    "directory": (lambda path: path.mkdir(), "is not a regular file"),
    "port-out-of-range": (write("gateway: {address: 'gw.example:99999'}\n"), "gateway.address: port 99999 is not in 1-65535"),
    "url-port-out-of-range": (write("optimize: {url: 'https://optimize.example:70000'}\n"), "optimize.url: not a valid URL"),
    "malformed-ipv6": (write("search: {url: 'https://[::1:9200'}\n"), "search.url: Invalid IPv6 URL"),
    "url-without-host": (write("vault: {url: 'https://:8200'}\n"), "vault.url: the URL names no host"),
}


def doctor(folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """`harness doctor --target target.yaml` in this process (the CLI's main, as the command runs it)."""
    monkeypatch.chdir(folder)
    capsys.readouterr()  # what an earlier in-process pytest run printed is not the doctor's
    code = cli.main(["doctor", "--target", "target.yaml"])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr[-2000:]
    return lines[0]


@pytest.mark.parametrize("case", sorted(TARGET_CASES))
def test_hostile_target_file_is_one_line_in_pytest_and_doctor(run_pytest: Run, tmp_path: Path, case: str,
                                                               capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    make, message = TARGET_CASES[case]
    make(tmp_path / "target.yaml")
    result = run_pytest(["--scenario=tls", "--target=target.yaml"])
    assert result.returncode == 4, result.stdout[-2000:] + result.stderr[-2000:]
    assert message in one_line(result.stderr) and "target.yaml" in one_line(result.stderr)
    code, out, err = doctor(tmp_path, capsys, monkeypatch)
    assert code == 2 and message in one_line(err), out + err


WAIVER_CASES = {
    "impossible-date": ("AUTH-002: {justification: j, expiration_date: 2026-13-45}\n", "AUTH-002.expiration_date"),
    "alias": ("base: &b {justification: j, expiration_date: 2030-01-01}\nAUTH-002: *b\n", "aliases"),
    "duplicate-key": (("AUTH-002: {justification: a, expiration_date: 2030-01-01}\n"
                       "AUTH-002: {justification: b, expiration_date: 2030-01-01}\n"), "duplicate"),
}


@pytest.mark.parametrize("case", sorted(WAIVER_CASES))
def test_broken_waiver_file_is_one_line(run_pytest: Run, tmp_path: Path, case: str) -> None:
    text, message = WAIVER_CASES[case]
    (tmp_path / "waivers.yaml").write_text(text)
    result = run_pytest(["--scenario=tls", "--waivers=waivers.yaml"])
    assert result.returncode == 4, result.stdout[-2000:] + result.stderr[-2000:]
    assert message in one_line(result.stderr)


def test_fifo_baseline_does_not_hang(run_pytest: Run, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "report.json")
    result = run_pytest(["--scenario=tls", "--baseline=report.json"])
    assert result.returncode == 4 and "is not a regular file" in one_line(result.stderr)


@pytest.mark.parametrize(("args", "message"), [
    (["--report-dir=afile"], "--report-dir: afile exists and is not a folder"),
    (["--junit-xml=afile/junit.xml"], "--junit-xml: afile exists and is not a folder"),
], ids=["report-dir-is-a-file", "junit-xml-under-a-file"])
def test_unwritable_report_path_is_refused_before_the_run(run_pytest: Run, tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "afile").write_text("")
    result = run_pytest(["--scenario=tls", *args])
    assert result.returncode == 4 and message in one_line(result.stderr)
    assert "ready after" not in result.stdout, "the stack must not start for a run that cannot report"


def test_unset_credential_is_one_line_before_the_run(run_pytest: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A variable the target file names and the environment lacks: one line naming field and variable,
    exit 4, instead of a traceback in every check that would have used it."""
    (tmp_path / "target.yaml").write_text(
        # Loopback ports nothing listens on: doctor's probes stay on this machine and fail at once.
        "gateway: {address: '127.0.0.1:1'}\n"
        "identity: {token_url: 'https://127.0.0.1:1/t', jwks_url: 'https://127.0.0.1:1/k', issuer: 'https://id'}\n"
        "clients: {default: {client_id_env: HARNESS_TEST_UNSET_ID, client_secret_env: HARNESS_TEST_UNSET_SECRET,"
        " audience: zeebe-api}}\n"
        "vault: {url: 'https://127.0.0.1:1', admin_token_env: HARNESS_TEST_UNSET_VAULT}\n")
    result = run_pytest(["--scenario=auth", "--target=target.yaml"])
    assert result.returncode == 4
    assert "clients.default.client_id_env: environment variable HARNESS_TEST_UNSET_ID is not set" in one_line(result.stderr)
    for name in ("HARNESS_TEST_UNSET_ID", "HARNESS_TEST_UNSET_SECRET", "HARNESS_TEST_UNSET_VAULT"):
        monkeypatch.delenv(name, raising=False)
    _, out, _ = doctor(tmp_path, capsys, monkeypatch)
    assert "vault.admin_token_env: environment variable HARNESS_TEST_UNSET_VAULT is not set" in out


@pytest.mark.parametrize(("args", "env", "target", "message"), [
    (["--load-duration=²"], {}, None, "--load-duration: '²' is not a whole number from 1 to 3600"),
    (["--profile=secure,tls_off"], {}, None, "--profile: secure means no weakness and cannot be combined"),
    (["--profile=c8run,c8rnu"], {}, None, "--profile: unknown weakness 'c8rnu', nor a preset (c8run, helm-8.8)"),
    (["--target=target.yaml"], {"ZEEBE_ADDRESS": "garbage"}, VALID_TARGET,
     "gateway.address: String should match pattern"),
    (["--target=target.yaml"], {}, "headers: {rules: {csp: {any-of: [{password: hunter2hunter2}]}}}\n",
     "headers.rules.csp.any-of[0].password: literal secrets are not allowed"),
    (["--target=target.yaml"], {}, VALID_TARGET + "ca_file: .\n", "is not a file (a PEM file of CA certificates)"),
], ids=["non-ascii-digit", "secure-with-weakness", "preset-misspelt", "env-override-names-variable", "literal-secret-in-list",
        "ca-file-is-a-directory"])
def test_bad_option_or_field_is_one_line(run_pytest: Run, tmp_path: Path, args: list[str], env: dict[str, str], target: str | None,
                                         message: str) -> None:
    if target is not None:
        (tmp_path / "target.yaml").write_text(target)
    result = run_pytest(["--scenario=tls", *args], env)
    assert result.returncode == 4, result.stdout[-2000:] + result.stderr[-2000:]
    line = one_line(result.stderr)
    assert message in line and "hunter2" not in line
    if env:
        assert "(set by the environment variable ZEEBE_ADDRESS)" in line


# (option arguments, environment, target file text or None, baseline file text or None, message in the line)
TABLE = {
    "cert-expiry-negative": (["--cert-expiry-days=-1"], {}, None, None, "--cert-expiry-days: '-1' is not a whole number"),
    "cert-expiry-words": (["--cert-expiry-days=thirty"], {}, None, None, "--cert-expiry-days: 'thirty'"),
    "load-duration-zero": (["--load-duration=0"], {}, None, None, "--load-duration: '0' is not a whole number"),
    "load-duration-huge": (["--load-duration=99999"], {}, None, None, "from 1 to 3600"),
    "fail-on-unknown": (["--fail-on=extreme"], {}, None, None, "--fail-on"),
    "scenario-partly-unknown": (["--scenario=tls,nope"], {}, None, None, "--scenario: unknown scenario 'nope'"),
    "scenario-empty": (["--scenario=,"], {}, None, None, "--scenario: unknown scenario"),
    "target-not-yaml": (["--target=foo.txt"], {}, None, None, "--target: unknown target 'foo.txt'"),
    "waivers-missing": (["--waivers=missing.yaml"], {}, None, None, "--waivers: cannot read missing.yaml"),
    "baseline-missing": (["--baseline=missing.json"], {}, None, None, "--baseline: cannot read missing.json"),
    "baseline-not-json": (["--baseline=base.json"], {}, None, "not json {", "not a harness report.json"),
    "baseline-without-checks": (["--baseline=base.json"], {}, None, '{"summary": {}}', "needs checks[].id"),
    "target-top-level-list": (["--target=target.yaml"], {}, "- gateway\n", None, "the top level must be a mapping"),
    "target-unknown-field": (["--target=target.yaml"], {}, "gatewy: {address: 'gw:1'}\n", None,
                             "gatewy: Extra inputs are not permitted"),
    "capability-unknown": (["--target=target.yaml"], {}, "capabilities: [fly]\n", None, "unknown capability 'fly'"),
    "env-vault-addr-not-url": (["--target=target.yaml"], {"VAULT_ADDR": "vault"}, VALID_TARGET, None,
                               "(set by the environment variable VAULT_ADDR)"),
    "env-zeebe-port-zero": (["--target=target.yaml"], {"ZEEBE_ADDRESS": "gw.example:0"}, VALID_TARGET, None,
                            "port 0 is not in 1-65535"),
    "env-optimize-ftp": (["--target=target.yaml"], {"CAMUNDA_OPTIMIZE_BASE_URL": "ftp://optimize"}, VALID_TARGET,
                         None, "(set by the environment variable CAMUNDA_OPTIMIZE_BASE_URL)"),
    "literal-client-secret": (["--target=target.yaml"], {}, "clients: {default: {client_secret: s3cr3t-value}}\n",
                              None, "clients.default.client_secret: literal secrets are not allowed"),
    "target-declares-nothing": (["--target=target.yaml"], {}, "name: empty\n", None,
                                "--target: the target declares nothing the selected scenarios test (tls needs one of"),
    "header-rule-bad-regex": (["--target=target.yaml"], {}, VALID_TARGET + (
        "headers: {rules: {server-banner: {any-of: [{Server: {Required: optional, must-not-match: '(['}}]}}}\n"),
        None, "headers.rules: server-banner.any-of.Server.must-not-match: not a regular expression"),
    "pasted-secret-as-variable": (["--target=target.yaml"], {}, VALID_TARGET + (
        "clients: {default: {client_id_env: ZEEBE_CLIENT_ID, client_secret_env: S3CR3TVALUEHUNTER2HUNTER2XYZ,"
        " audience: zeebe-api}}\n"), None, "does not look like an environment variable name (a pasted secret?)"),
    "worker-without-approle": (["--target=target.yaml"], {}, (
        "workers: {bu_a: {actuator_url: 'https://w:8080/actuator', job_type: j, bpmn_process_id: p,"
        " vault_url: 'https://v:8200', retry_backoff_ms: 500}}\n"), None, "workers.bu_a: no vault.approles.bu_a"),
}


@pytest.mark.parametrize("case", sorted(TABLE))
def test_bad_input_table(run_pytest: Run, tmp_path: Path, case: str) -> None:
    args, env, target, baseline_text, message = TABLE[case]
    if target is not None:
        (tmp_path / "target.yaml").write_text(target)
    if baseline_text is not None:
        (tmp_path / "base.json").write_text(baseline_text)
    result = run_pytest(["--scenario=tls", *args] if not any(a.startswith("--scenario") for a in args) else args,
                        env)
    assert result.returncode == 4, result.stdout[-2000:] + result.stderr[-2000:]
    line = one_line(result.stderr)
    assert message in line and "s3cr3t-value" not in line and "HUNTER2" not in line, line
