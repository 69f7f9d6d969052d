"""Process lifecycle for the local backend: start, wait for health, stop, and reap what a killed run left.

Every process gets its own session (so a terminal's Ctrl-C reaches only the harness, which then tears the
stack down in order) and is recorded in its run directory with its start time, so a later run can tell a
leftover from an unrelated process that reused the pid.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from harness.errors import StackError

log = logging.getLogger("harness.supervisor")

KEEP_FINISHED_RUNS = 5
STOP_GRACE_S = 5.0
# At the end of a run nothing a service still holds matters (its state is saved on every change, its log
# written per line, nginx's flushed on SIGTERM), so `stop_all` waits this long, not for the graceful
# shutdowns of uvicorn (0.5 s for connections still open) and of a service with several servers (one after
# another, 0.75 s for the Orchestration Cluster emulator): a SIGKILL ends what is left.
DOWN_GRACE_S = 0.25
POLL_INTERVAL_S = 0.05


def state_root() -> Path:
    default = Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state")) / "camunda-harness"
    return Path(os.environ.get("HARNESS_STATE_DIR", default)) / "runs"


def _start_time(pid: int) -> str | None:
    """The kernel's start time of `pid` (clock ticks since boot), or None when it does not run.

    A zombie counts as not running: in a container whose init does not reap, an orphan killed by a
    previous run stays a zombie forever.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in {"Z", "X"} else fields[19]


@dataclasses.dataclass(frozen=True)
class ProcessRecord:
    """A pid plus its start time: enough to never signal an unrelated process that reused the pid."""

    pid: int
    start_time: str | None

    @classmethod
    def of(cls, pid: int) -> ProcessRecord:
        return cls(pid, _start_time(pid))

    def alive(self) -> bool:
        return self.start_time is not None and _start_time(self.pid) == self.start_time

    def kill_group(self, grace_s: float = STOP_GRACE_S) -> None:
        """SIGTERM the process group this process leads, then SIGKILL what is left after `grace_s`."""
        kill_groups([self], grace_s)

    def signal_group(self, signum: int) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signum)

    def terminate_and_wait(self, grace_s: float) -> None:
        """Ask an owner (a `harness stack up`) to tear its stack down itself, as Ctrl-C would."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        self._wait_gone(grace_s)

    def _wait_gone(self, grace_s: float) -> None:
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline and self.alive():
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, os.WNOHANG)
            time.sleep(POLL_INTERVAL_S)


def kill_groups(records: Sequence[ProcessRecord], grace_s: float = STOP_GRACE_S) -> None:
    """SIGTERM every group at once, wait for all within one `grace_s`, SIGKILL what is left: stopping nine
    services costs the slowest one's shutdown, not the sum."""
    for record in records:
        record.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for record in records:
        record._wait_gone(max(0.0, deadline - time.monotonic()))
    for record in records:
        record.signal_group(signal.SIGKILL)


class ServiceExited(StackError):
    """A service ended while the stack was starting; its log says why."""

    def __init__(self, message: str, log_file: Path) -> None:
        super().__init__(message)
        self.log_file = log_file


class Supervisor:
    """The processes of one run, recorded in `<run_dir>/processes.json`."""

    def __init__(self, run_dir: Path | None = None) -> None:
        self.run_id = uuid.uuid4().hex[:12]
        self.run_dir = run_dir or state_root() / self.run_id
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir = self.run_dir / "logs"
        self.log_dir.mkdir(exist_ok=True)
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self._argv: dict[str, tuple[Sequence[str], Mapping[str, str] | None]] = {}
        (self.run_dir / "owner.json").write_text(json.dumps({"owner": dataclasses.asdict(ProcessRecord.of(os.getpid()))}))

    def log_file(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def start(self, name: str, argv: Sequence[str], env: Mapping[str, str] | None = None) -> None:
        self._argv[name] = (argv, env)
        with self.log_file(name).open("ab") as log_handle:
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log_handle,
                                       stderr=subprocess.STDOUT, start_new_session=True,
                                       env={**os.environ, **(env or {})})
        self._processes[name] = process
        self._record()
        log.debug("started %s (pid %d)", name, process.pid)

    def start_again(self, name: str) -> None:
        """Start a stopped service with the command and environment it first had."""
        argv, env = self._argv[name]
        self.start(name, argv, env)

    def stop(self, name: str) -> None:
        process = self._processes.pop(name, None)
        if process is not None:
            ProcessRecord.of(process.pid).kill_group()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=1)
            self._record()

    def pause(self, name: str, paused: bool = True) -> None:
        os.killpg(self._processes[name].pid, signal.SIGSTOP if paused else signal.SIGCONT)

    def wait_ready(self, probes: Mapping[str, Callable[[], bool]], timeout_s: float,
                   on_ready: Callable[[str, float], None] = lambda name, seconds: None) -> None:
        """Poll every service's health until all answer; a service that exits fails fast with its log."""
        started = time.monotonic()
        pending = dict(probes)
        while pending:
            for name, probe in list(pending.items()):
                self._raise_if_exited(name)
                if probe():
                    del pending[name]
                    on_ready(name, time.monotonic() - started)
            if pending and time.monotonic() - started > timeout_s:
                names = ", ".join(sorted(pending))
                raise StackError(f"not ready after {timeout_s:.0f} s: {names}; logs in {self.log_dir}")
            if pending:
                time.sleep(POLL_INTERVAL_S)

    def _raise_if_exited(self, name: str) -> None:
        code = self._processes[name].poll()
        if code is not None:
            lines = self.log_file(name).read_text(errors="replace").strip().splitlines() or ["(empty log)"]
            raise ServiceExited(f"{name} exited with code {code} during start: {lines[-1]} "
                                f"(log: {self.log_file(name)})", self.log_file(name))

    def stop_all(self) -> None:
        kill_groups([ProcessRecord.of(process.pid) for process in self._processes.values()], DOWN_GRACE_S)
        for process in self._processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=1)
        self._processes.clear()
        self._record()
        (self.run_dir / "finished").touch()

    def _record(self) -> None:
        entries = {name: dataclasses.asdict(ProcessRecord.of(p.pid)) for name, p in self._processes.items()}
        tmp = self.run_dir / "processes.json.tmp"
        tmp.write_text(json.dumps(entries))
        tmp.replace(self.run_dir / "processes.json")


def _read_records(path: Path) -> dict[str, ProcessRecord]:
    try:
        raw = json.loads(path.read_text())
        return {name: ProcessRecord(int(entry["pid"]), entry.get("start_time")) for name, entry in raw.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def reap(root: Path | None = None, *, include_live: bool = False) -> list[str]:
    """Stop the processes of runs whose owner is gone (and of live runs too, with `include_live`).

    Returns what was stopped, as "run/service" names (a live owner shows as "run/owner"). Finished run directories beyond the newest few are
    removed so the logs of recent runs stay readable.
    """
    root = root or state_root()
    reaped: list[str] = []
    if not root.is_dir():
        return reaped
    runs = sorted((d for d in root.iterdir() if d.is_dir()), key=lambda d: d.stat().st_mtime, reverse=True)
    for run_dir in runs:
        owner = _read_records(run_dir / "owner.json").get("owner")
        if owner is not None and owner.alive():
            if owner.pid == os.getpid() or not include_live:
                continue
            owner.terminate_and_wait(STOP_GRACE_S * 2)
            reaped.append(f"{run_dir.name}/owner (pid {owner.pid})")
        for name, record in _read_records(run_dir / "processes.json").items():
            if record.alive():
                record.kill_group()
                reaped.append(f"{run_dir.name}/{name}")
        (run_dir / "processes.json").unlink(missing_ok=True)
        (run_dir / "finished").touch()
    finished = [d for d in runs if (d / "finished").exists()]
    for old in finished[KEEP_FINISHED_RUNS:]:
        shutil.rmtree(old, ignore_errors=True)
    return reaped
