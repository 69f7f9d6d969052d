import asyncio

from harness.reference.runtime import read_config, setup_logging
from harness.reference.zeebe.gateway import serve

config = read_config()
setup_logging("zeebe")
asyncio.run(serve(int(config["port"])))
