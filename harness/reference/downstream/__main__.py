from harness.reference.downstream.app import DownstreamApp
from harness.reference.runtime import read_config, serve_asgi, setup_logging

config = read_config()
serve_asgi(DownstreamApp(config).app, config, setup_logging("downstream"))
