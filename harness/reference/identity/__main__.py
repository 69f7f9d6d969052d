from harness.reference.identity.app import IdentityApp
from harness.reference.rest_headers import KEYCLOAK_REST_DEFAULTS, StaticHeaders
from harness.reference.runtime import read_config, serve_asgi, setup_logging

config = read_config()
setup_logging("identity")
# Keycloak's REST security headers on every answer (the headers scenario's api rules).
serve_asgi(StaticHeaders(IdentityApp(config).app, KEYCLOAK_REST_DEFAULTS), config)
