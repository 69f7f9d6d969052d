"""One job-worker runtime per business unit: reads its downstream credential from Vault, calls the
downstream, completes its jobs through the proxy. Its actuator (health only) is what monitoring reaches."""

from __future__ import annotations

from typing import Any

from harness.reference.services import vault
from harness.reference.services.base import BOTH, Build, Definition, Health, Listener, ServiceSpec
from harness.reference.services.identity import BUSINESS_UNITS, ENV, GATEWAY_AUDIENCE
from harness.reference.vault import seed

WORKERS = {unit: f"worker-{folder}" for unit, (folder, _) in BUSINESS_UNITS.items()}
# Short so the secrets scenario is quick; a production worker waits longer (the Vault article uses 60 s).
RETRY_BACKOFF_MS = 500


def settings(build: Build, unit: str) -> dict[str, Any]:
    """A worker's config: its gateway client, its Vault AppRole, and what it may run."""
    folder = BUSINESS_UNITS[unit][0]
    return {
        "name": WORKERS[unit], "job_type": f"{folder}.call-downstream", "allowlist": [f"secrets-{folder}"],
        "gateway": {"address": str(build.internal("proxy")), "ca_file": str(build.pki.ca_file),
                    "token_url": build.internal_token_url, "audience": GATEWAY_AUDIENCE,
                    "client_id": build.environ[ENV[unit][0]], "client_secret": build.environ[ENV[unit][1]]},
        "vault": {"url": vault.internal_url(build), "ca_file": str(build.pki.ca_file), "mount": seed.MOUNT,
                  "path": seed.secret_path(folder), **seed.approle(unit, build.environ)},
        "secret_loading": "startup", "retry_backoff_ms": RETRY_BACKOFF_MS,
        "downstream_url": f"https://{build.internal('downstream')}/api/v1/calls",
        "log_file": str(build.run_dir / f"{WORKERS[unit]}.log"), "weaknesses": build.weaknesses,
    }


class WorkerServices(Definition):
    def specs(self, build: Build) -> tuple[ServiceSpec, ...]:
        return tuple(
            ServiceSpec(name, build.python_service("worker", {**build.listen(name), "tls": build.tls(name),
                                                              **settings(build, unit)}, name),
                        (Health("https", name, "/actuator/health"),))
            for unit, name in WORKERS.items())

    def target(self, build: Build) -> dict[str, Any]:
        workers = {}
        for unit, name in WORKERS.items():
            worker = settings(build, unit)
            workers[unit] = {"actuator_url": f"https://{build.external(name)}/actuator",
                             "job_type": worker["job_type"], "bpmn_process_id": worker["allowlist"][0],
                             "vault_url": worker["vault"]["url"], "retry_backoff_ms": worker["retry_backoff_ms"],
                             "log_file": worker["log_file"]}
        return {"workers": workers}


DEFINITION = WorkerServices(
    name="workers",
    listeners={name: Listener(name, 8080, client_facing=True) for name in WORKERS.values()},
    depends_on=("proxy", "vault", "downstream", "identity"),
    scenarios=frozenset({"secrets"}),
    weaknesses={name: BOTH for name in ("no_retry_backoff", "secret_in_logs", "secret_in_variables",
                                               "secret_in_error_message", "allowlist_off", "actuator_exposed")},
)
