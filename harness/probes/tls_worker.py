"""A share of a TLS scan in a child process (harness.probes.tls.scan_all): sslyze holds the GIL, so a
second process is what lets a second CPU scan. The request is one JSON argument (the endpoints and the CA
file); the scans go to stdout pickled, for the parent, which runs this same harness."""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path

from harness.probes.tls import Endpoint, scan_group


def main(request: str) -> None:
    parsed = json.loads(request)
    endpoints = [Endpoint(**endpoint) for endpoint in parsed["endpoints"]]
    ca_file = Path(parsed["ca_file"]) if parsed["ca_file"] else None
    sys.stdout.buffer.write(pickle.dumps(scan_group(endpoints, ca_file)))


if __name__ == "__main__":
    main(sys.argv[1])
