"""The `harness` command: the catalog, and a reference stack to point other tools at."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from harness import doctor as doctor_checks
from harness import real_deployment, surface
from harness.backends import BACKEND_NAMES, backend_for
from harness.backends.supervisor import reap
from harness.catalog import CHECKS, WEAKNESSES, checks_detecting, parse_scenarios
from harness.config import Target
from harness.deployment import Stack
from harness.errors import StackError, UsageError
from harness.interrupts import tear_down_on_interrupt
from harness.reference.presets import PRESETS, expected_failures
from harness.reference.profile import Profile

EXIT_USAGE = 2
EXIT_STACK = 1


def _print_table(rows: list[dict[str, object]], columns: Sequence[str]) -> None:
    """Aligned columns; lists print comma-joined, the last column runs free."""
    cells = [{c: (",".join(v) or "-") if isinstance(v := row[c], list) else str(v) for c in columns} for row in rows]
    widths = {c: max(len(c), *(len(cell[c]) for cell in cells)) for c in columns[:-1]}
    for line in [{c: c.upper() for c in columns}, *cells]:
        print("  ".join(line[c].ljust(widths.get(c, 0)) for c in columns).rstrip())


def _emit(rows: list[dict[str, object]], as_json: bool, columns: Sequence[str]) -> int:
    if as_json:
        print(json.dumps(rows, indent=2))
    else:
        _print_table(rows, columns)
    return 0


def list_checks(args: argparse.Namespace) -> int:
    if getattr(args, "real_deployment", False):
        print(real_deployment.table())
        return 0
    rows = [check.as_dict() | {"surface": surface.of(check.id) if args.json else surface.summary(check.id)}
            for check in CHECKS.values()]
    return _emit(rows, args.json, ("id", "scenario", "severity", "surface", "detects", "title"))


def list_weaknesses(args: argparse.Namespace) -> int:
    rows: list[dict[str, object]] = [
        {"name": w.name, "scenario": w.scenario, "description": w.description, "backends": sorted(w.backends),
         "detected_by": [c.id for c in checks_detecting(w.name)]}
        for w in WEAKNESSES.values()]
    return _emit(rows, args.json, ("name", "scenario", "backends", "detected_by", "description"))


def list_profiles(args: argparse.Namespace) -> int:
    rows: list[dict[str, object]] = [
        preset.as_dict() | {"fails": list(expected_failures(preset))} for preset in PRESETS.values()]
    return _emit(rows, args.json, ("name", "weaknesses", "fails", "description"))


def stack_environment(stack: Stack) -> dict[str, str]:
    """The credential variables the Target names, plus Camunda's client variables pointing at the stack."""
    target = stack.target
    environment = {name: stack.environ[name] for name in target.credential_envs() if name in stack.environ}
    if target.gateway is not None:
        environment["ZEEBE_ADDRESS"] = target.gateway.address
    if target.identity is not None:
        environment["ZEEBE_AUTHORIZATION_SERVER_URL"] = target.identity.token_url
    if "default" in target.clients:
        environment["ZEEBE_TOKEN_AUDIENCE"] = target.clients["default"].audience
    if target.ca_file is not None:
        environment["ZEEBE_CA_CERTIFICATE_PATH"] = str(target.ca_file)
    environment.update(orchestration_environment(target))
    return environment


def orchestration_environment(target: Target) -> dict[str, str]:
    """camunda-orchestration-sdk's variables for the Orchestration Cluster's basic login (its password is
    already among the credential variables, as CAMUNDA_BASIC_AUTH_PASSWORD in the reference stack)."""
    cluster = target.orchestration
    if cluster is None or cluster.auth != "basic" or cluster.login_user is None:
        return {}
    environment = {"CAMUNDA_REST_ADDRESS": cluster.url, "CAMUNDA_AUTH_STRATEGY": "BASIC",
                   "CAMUNDA_BASIC_AUTH_USERNAME": cluster.login_user.username}
    if target.ca_file is not None:
        environment["CAMUNDA_MTLS_CA_PATH"] = str(target.ca_file)
    return environment


def write_env_file(path: Path, environment: dict[str, str]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.writelines(f"{name}={value}\n" for name, value in environment.items())


def docker_engine_present() -> bool:
    """Whether a Docker engine answers; `stack down` then also removes the harness's containers."""
    try:
        from harness.backends.docker import engine
        engine()
    except (ImportError, StackError):
        return False
    return True


def _progress(message: str) -> None:
    print(f"harness: {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def running_stack(target: str, profile_text: str, scenarios: str = "all") -> Iterator[Stack]:
    """A stack for the length of a command, torn down on exit, Ctrl-C and SIGTERM alike."""
    backend = backend_for(target)
    profile = Profile.parse(profile_text, backend.name)
    tear_down_on_interrupt()
    try:
        yield backend.up(profile, _progress, parse_scenarios(scenarios))
    finally:
        backend.down()


def stack_up(args: argparse.Namespace) -> int:
    with contextlib.suppress(KeyboardInterrupt), running_stack(args.target, args.profile, args.scenario) as stack:
        if args.env_file:
            write_env_file(Path(args.env_file), stack_environment(stack))
            print(f"harness: credentials written to {args.env_file} (mode 0600)", file=sys.stderr)
        print(json.dumps(stack.target.public_json(), indent=2), flush=True)
        print("harness: stack is up; Ctrl-C stops it", file=sys.stderr, flush=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            print("harness: stopping the stack", file=sys.stderr)
    return 0


def load(args: argparse.Namespace) -> int:
    """A bounded Locust run on the hot path with Locust's live statistics; exit 1 on a breached SLO."""
    from harness.load import runner
    from harness.load.thresholds import breaches

    settings = runner.LoadSettings(users=args.users, spawn_rate=args.spawn_rate, run_time_s=args.run_time,
                                   max_requests=args.max_requests, processes=args.processes,
                                   master=args.expect_workers > 0, expect_workers=max(args.expect_workers, 1))
    with running_stack(args.target, args.profile) as stack:
        if args.worker:
            return runner.run_worker(stack, args.master_host)
        result = runner.run(stack, settings, Path(args.out), live=True)
    missed = breaches(result, stack.target.load)
    if result.bypasses:
        missed.insert(0, f"{result.bypasses} forged call(s) accepted")
    print(json.dumps(result.as_evidence(), indent=2))
    print(f"harness: Locust reports in {args.out}", file=sys.stderr)
    for line in missed:
        print(f"harness: SLO breached: {line}", file=sys.stderr)
    if not missed:
        print("harness: SLO held, no forged call accepted", file=sys.stderr)
    return 1 if missed else 0


def stack_down(args: argparse.Namespace) -> int:
    stopped = reap(include_live=True)
    if docker_engine_present():
        from harness.backends.docker import reap as reap_containers
        stopped += reap_containers()
    print(f"harness: stopped {len(stopped)}" + (": " + ", ".join(stopped) if stopped else ""))
    return 0


def doctor(args: argparse.Namespace) -> int:
    return doctor_checks.run(Path(args.target))


def positive(kind: type[int | float]) -> Callable[[str], int | float]:
    """An argparse type for numbers above zero, so a bad value names the option in one line."""
    def parse(text: str) -> int | float:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r} is not above zero")
        return value
    return parse


def image_build(args: argparse.Namespace) -> int:
    from harness.backends import images
    from harness.backends.docker import engine
    client = engine()
    tag = images.build_image(client, lambda message: print(f"harness: {message}", file=sys.stderr), images.HARNESS)
    if args.tag:
        client.images.get(tag).tag(args.tag)
    print(args.tag or tag)
    return 0


def trend(args: argparse.Namespace) -> int:
    from harness.report import trend as trend_report
    page, png = trend_report.write(args.reports, args.out)
    print(f"harness: wrote {page} and {png}")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="harness", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    for name, handler, text in (("list-checks", list_checks, "the checks of the catalog"),
                                ("list-weaknesses", list_weaknesses, "the weaknesses of the catalog"),
                                ("list-profiles", list_profiles,
                                 "profile presets: a distribution's shipped settings as weaknesses")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--json", action="store_true", help="machine-readable output")
        if name == "list-checks":
            command.add_argument("--real-deployment", action="store_true",
                                 help="what each check takes on a real Camunda 8.6/8.7 deployment (Markdown)")
        command.set_defaults(handler=handler)
    stack = commands.add_parser("stack", help="start or clean up a reference stack")
    stack_commands = stack.add_subparsers(dest="stack_command", required=True)
    up = stack_commands.add_parser("up", help="start a stack, print its Target as JSON, keep it up until Ctrl-C")
    up.add_argument("--target", choices=BACKEND_NAMES, default="local")
    up.add_argument("--profile", default="secure", help="secure (default) or PRESET|WEAKNESS[,...]")
    up.add_argument("--env-file", help="also write the stack's credentials here as NAME=value lines (mode 0600)")
    up.add_argument("--scenario", default="all", metavar="NAME[,NAME...]|all",
                    help="start only the services these scenarios need (default all)")
    up.set_defaults(handler=stack_up)
    load_command = commands.add_parser("load", help="Locust on the proxy/auth hot path; exit 1 on a breached SLO")
    load_command.add_argument("--target", default="local", help="local, docker or PATH.yaml (default local)")
    load_command.add_argument("--profile", default="secure", help="reference stacks only")
    load_command.add_argument("--users", type=positive(int), default=50)
    load_command.add_argument("--spawn-rate", type=positive(float), default=25.0)
    load_command.add_argument("--run-time", type=positive(int), default=60, help="seconds (default 60)")
    load_command.add_argument("--max-requests", type=positive(int), default=1_000_000,
                              help="stop after this many requests per Locust process")
    load_command.add_argument("--processes", type=positive(int), default=1, help="Locust processes on this machine")
    load_command.add_argument("--expect-workers", type=int, default=0,
                              help="run as Locust master and wait for this many workers (other machines)")
    load_command.add_argument("--worker", action="store_true", help="run as a Locust worker of --master-host")
    load_command.add_argument("--master-host", default="127.0.0.1")
    load_command.add_argument("--out", default="load-report", help="folder for Locust's CSV and HTML reports")
    load_command.set_defaults(handler=load)
    down = stack_commands.add_parser("down", help="stop every stack and process the harness left behind")
    down.set_defaults(handler=stack_down)
    image = commands.add_parser("image", help="the harness as a container image")
    image_commands = image.add_subparsers(dest="image_command", required=True)
    build = image_commands.add_parser("build", help="build the harness image from this checkout, print its tag")
    build.add_argument("--tag", help="also tag it with this name (e.g. camunda-harness:latest)")
    build.set_defaults(handler=image_build)
    report = commands.add_parser("report", help="work with the reports of earlier runs")
    report_commands = report.add_subparsers(dest="report_command", required=True)
    trend_command = report_commands.add_parser("trend", help="trend.html and trend.png from nightly report.json files")
    trend_command.add_argument("reports", nargs="+", type=Path, metavar="DIR",
                               help="report folders (or report.json files), one per run, any order")
    trend_command.add_argument("--out", type=Path, default=Path("trend"), help="output folder (default trend)")
    trend_command.set_defaults(handler=trend)
    check = commands.add_parser("doctor", help="check a target file's config, credentials and endpoints before a run")
    check.add_argument("--target", required=True, metavar="FILE", help="the target file (YAML) to check")
    check.set_defaults(handler=doctor)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except BrokenPipeError:
        # `harness list-checks | head` ends quietly. Not SIGPIPE's default action: that would also kill a
        # stack's owner whenever a socket to a service breaks, leaving its containers behind.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except UsageError as exc:
        print(f"harness: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StackError as exc:
        print(f"harness: stack failed: {exc}", file=sys.stderr)
        return EXIT_STACK


if __name__ == "__main__":
    sys.exit(main())
