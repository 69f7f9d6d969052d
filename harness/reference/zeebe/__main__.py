import asyncio

from harness.reference.runtime import HOST, read_config, setup_logging
from harness.reference.zeebe.gateway import serve

config = read_config()
setup_logging("zeebe")
asyncio.run(serve(config.get("host", HOST), int(config["port"])))
