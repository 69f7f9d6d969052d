from harness.reference.runtime import read_config, serve_asgi, setup_logging
from harness.reference.search.app import SearchApp

config = read_config()
serve_asgi(SearchApp(config).app, config, setup_logging("search"))
