"""Fault controls for an external deployment: the operator's own stop/start commands from the target file.

A real deployment is stopped the way its operators stop it (`docker compose stop identity`, `kubectl scale
deploy/camunda-identity --replicas=0`, a NetworkPolicy toggle), so the harness runs their commands rather
than guessing a platform. Commands are bounded by `faults.timeout_s`; their output is kept out of reports and
logs except for a redacted last line when one fails. Because such commands often return before the change
has happened (a scale-down returns at once), each stop or start is followed by a wait until the service's
address stops or starts answering.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import time
from collections.abc import Callable

import requests

from harness.config import Command, ServiceFaults, Target
from harness.deployment import tls_verify
from harness.errors import FaultUnsupported, StackError
from harness.report.evidence import Redactor
from harness.waiting import poll

log = logging.getLogger(__name__)
PROBE_TIMEOUT_S = 5.0

# Where each service answers when it is up, for a service whose fault entry names no `ready_url`.
DEFAULT_READY: dict[str, Callable[[Target], str | None]] = {
    "identity": lambda t: t.identity.jwks_url if t.identity else None,
    "vault": lambda t: f"{t.vault.url.rstrip('/')}/v1/sys/health" if t.vault else None,
    "optimize": lambda t: f"{t.optimize.url.rstrip('/')}/api/readyz" if t.optimize else None,
    "operate": lambda t: t.operate.url if t.operate else None,
    "search": lambda t: t.search.url if t.search else None,
}


def argv(command: Command) -> list[str]:
    """The process to run: an argv list as given, a string through `sh -c`."""
    return ["sh", "-c", command] if isinstance(command, str) else list(command)


def program(command: Command) -> str:
    """The program a command starts first (what `harness doctor` looks up on PATH)."""
    return command.split()[0] if isinstance(command, str) else command[0]


def missing_programs(target: Target) -> list[str]:
    """One line per fault command whose program is not on this machine's PATH."""
    return [f"faults.services.{service}.{action}: {program(command)} is not on PATH"
            for service, faults in target.faults.services.items()
            for action, command in (("stop", faults.stop), ("start", faults.start))
            if shutil.which(program(command)) is None]


class CommandFaults:
    """FaultControls over the target's `faults` section; stop/start only (pause and isolate have no
    portable command)."""

    def __init__(self, target: Target, redact: Redactor) -> None:
        self.target, self.redact = target, redact

    def stoppable(self, service: str) -> bool:
        return service in self.target.faults.services

    def stop(self, service: str) -> None:
        self._run(service, "stop", up=False)

    def start(self, service: str) -> None:
        self._run(service, "start", up=True)

    def pause(self, service: str, paused: bool = True) -> None:
        raise FaultUnsupported("faults: an external target can stop and start a service, not pause it")

    def isolate(self, service: str, isolated: bool = True) -> None:
        raise FaultUnsupported("faults: an external target can stop and start a service, not isolate it")

    def _entry(self, service: str) -> ServiceFaults:
        try:
            return self.target.faults.services[service]
        except KeyError:
            raise FaultUnsupported(f"faults.services: the target names no commands for {service}") from None

    def _run(self, service: str, action: str, up: bool) -> None:
        entry, field = self._entry(service), f"faults.services.{service}.{action}"
        deadline = time.monotonic() + self.target.faults.timeout_s
        log.info("%s: running the operator's command", field)
        try:
            result = subprocess.run(argv(getattr(entry, action)), capture_output=True, text=True, check=False,
                                    stdin=subprocess.DEVNULL, timeout=self.target.faults.timeout_s)
        except subprocess.TimeoutExpired:
            raise StackError(f"{field}: still running after faults.timeout_s={self.target.faults.timeout_s:g} s") \
                from None
        except OSError as exc:
            raise StackError(f"{field}: cannot run it ({exc.strerror})") from None
        if result.returncode != 0:
            last = (result.stderr.strip() or result.stdout.strip() or "(no output)").splitlines()[-1]
            raise StackError(f"{field}: exited {result.returncode}: {self.redact.text(last)[:300]}")
        url = entry.ready_url or DEFAULT_READY.get(service, lambda t: None)(self.target)
        if url is None:
            return
        # Until `url` answers (any status below 500: 401 is an answering service) or, for a stop, until it no
        # longer does (refused, timed out, or an ingress's 502/503), within what is left of the timeout.
        if not poll(lambda: self._answers(url), lambda answers: answers == up, deadline - time.monotonic()).held:
            raise StackError(f"{field}: {url} did not {'answer' if up else 'stop answering'} within "
                             f"faults.timeout_s={self.target.faults.timeout_s:g} s")
        log.info("%s: the service is %s", field, "up" if up else "down")

    def _answers(self, url: str) -> bool:
        try:
            return requests.get(url, verify=tls_verify(self.target.ca_file), timeout=PROBE_TIMEOUT_S,
                                allow_redirects=False).status_code < 500
        except requests.RequestException:
            return False
