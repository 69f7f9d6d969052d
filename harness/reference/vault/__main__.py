from harness.reference.runtime import read_config, serve_asgi, setup_logging
from harness.reference.vault.app import VaultApp

config = read_config()
setup_logging("vault")
serve_asgi(VaultApp(config).app, config)
