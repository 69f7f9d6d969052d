from harness.reference.identity.app import IdentityApp
from harness.reference.runtime import read_config, serve_asgi, setup_logging

config = read_config()
setup_logging("identity")
serve_asgi(IdentityApp(config).app, config)
