"""Worker runtime of one business unit: `python -m harness.reference.worker CONFIG.json`.

Config: `name`, `host`/`port`/`tls` of the actuator, `gateway` (address through the proxy, token URL,
audience, client id and secret), `vault` (url, ca_file, mount, role_id, secret_id, path), `secret_loading`
(startup|runtime), `downstream_url`, `job_type`, `allowlist`, `retry_backoff_ms`, `log_file`, `weaknesses`.
"""

import asyncio
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

import grpc
from pyzeebe import ZeebeWorker, create_oauth2_client_credentials_channel

from harness.reference.runtime import HOST, asgi_server, read_config
from harness.reference.vault_access import AppRoleReader, AppRoleSettings, VaultUnavailable
from harness.reference.worker.actuator import actuator_app
from harness.reference.worker.jobs import CredentialSource, JobHandler, JobSettings
from harness.reference.worker.masking import MaskingFilter

LONG_POLL_MS = 5000
STARTUP_RETRY_S = 0.1


def setup_logging(name: str, log_file: str | None, masked: bool) -> logging.Logger:
    """stderr plus the log file the Target names (UTC, milliseconds), both behind the masking filter."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        handlers.append(logging.FileHandler(log_file))
    formatter = logging.Formatter(f"%(asctime)s.%(msecs)03dZ {name} %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    for handler in handlers:
        handler.setFormatter(formatter)
        if masked:
            handler.addFilter(MaskingFilter())
    logging.basicConfig(level=logging.INFO, handlers=handlers)
    return logging.getLogger("worker")


def public_settings(config: dict[str, Any]) -> dict[str, Any]:
    """The configuration as `/actuator/env` would list it (only ever served with `actuator_exposed`)."""
    return {"worker.name": config["name"], "zeebe.client.id": config["gateway"]["client_id"],
            "zeebe.client.secret": config["gateway"]["client_secret"], "vault.uri": config["vault"]["url"],
            "vault.app-role.role-id": config["vault"]["role_id"],
            "vault.app-role.secret-id": config["vault"]["secret_id"]}


async def load_at_startup(credentials: CredentialSource, log: logging.Logger) -> None:
    """Startup mode: the worker is not ready until Vault (started alongside it) hands out the credential."""
    while True:
        try:
            await asyncio.to_thread(credentials.current)
            return
        except VaultUnavailable:
            await asyncio.sleep(STARTUP_RETRY_S)


async def main(config: dict[str, Any]) -> None:
    weaknesses = frozenset(config.get("weaknesses", ()))
    log = setup_logging(config["name"], config.get("log_file"), masked="secret_in_logs" not in weaknesses)
    gateway, vault = config["gateway"], config["vault"]
    # The role id is not logged at all (an AppRole's half-secret); the other values pass the masking filter.
    log.info("config: vault.uri=%s vault.secret_id=%s zeebe.client_id=%s zeebe.client_secret=%s", vault["url"],
             vault["secret_id"], gateway["client_id"], gateway["client_secret"])
    # pyzeebe fetches its token with requests-oauthlib, which trusts REQUESTS_CA_BUNDLE.
    os.environ["REQUESTS_CA_BUNDLE"] = gateway["ca_file"]
    credentials = CredentialSource(AppRoleReader(AppRoleSettings.from_config(vault)), vault["path"],
                                   config.get("secret_loading", "startup"))
    handler = JobHandler(JobSettings(config["name"], frozenset(config["allowlist"]), config["downstream_url"],
                                     gateway["ca_file"], int(config["retry_backoff_ms"]), weaknesses), credentials)
    channel = create_oauth2_client_credentials_channel(
        grpc_address=gateway["address"], client_id=gateway["client_id"], client_secret=gateway["client_secret"],
        authorization_server=gateway["token_url"], audience=gateway["audience"], scope=None,
        channel_credentials=grpc.ssl_channel_credentials(Path(gateway["ca_file"]).read_bytes()))
    worker = ZeebeWorker(channel, name=config["name"], request_timeout=LONG_POLL_MS, max_connection_retries=-1)
    worker.task(task_type=config["job_type"], exception_handler=handler.on_error)(handler.handle)
    ready = asyncio.Event()
    server = asgi_server(actuator_app(ready.is_set, public_settings(config), "actuator_exposed" in weaknesses),
                         config.get("host", HOST), int(config["port"]), config.get("tls"))
    serving = asyncio.create_task(server.serve())
    if config.get("secret_loading", "startup") == "startup":
        await load_at_startup(credentials, log)
    working = asyncio.create_task(worker.work())
    ready.set()
    log.info("worker %s listening on %s:%d, job type %s, allowlist %s", config["name"], config.get("host", HOST),
             int(config["port"]), config["job_type"], ",".join(sorted(config["allowlist"])))
    # uvicorn owns SIGTERM/SIGINT: once it stops serving, the worker stops polling too.
    await serving
    await worker.stop()
    working.cancel()


asyncio.run(main(read_config()))
