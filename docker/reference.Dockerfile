# The reference stack's image: every reference service (python -m harness.reference.<name>) and the
# auth proxy (Debian's nginx + njs), started with a different command per container.
#
# BASE_IMAGE defaults to the public Debian image; where no registry can be reached the harness builds a
# Debian bookworm base with debootstrap and passes it here (harness/backends/images.py).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 python3-venv ca-certificates nginx-light libnginx-mod-http-js \
 && rm -rf /var/lib/apt/lists/*

# Dependencies first, from pyproject.toml alone, so a source change reuses this layer. The harness fills
# docker/wheels/ from the host's pip (which knows the host's proxies and CAs) and installs offline from it;
# with an empty wheelhouse (a plain `docker build`) pip installs from the package index.
COPY pyproject.toml /src/pyproject.toml
COPY docker/wheels/ /wheels/
RUN python3 -m venv /opt/harness \
 && python3 -c 'import tomllib; p = tomllib.load(open("/src/pyproject.toml", "rb")); print("\n".join(p["build-system"]["requires"] + p["project"]["dependencies"]))' \
      > /src/requirements.txt \
 && if ls /wheels/*.whl >/dev/null 2>&1; then offline="--no-index --find-links /wheels"; else offline=""; fi \
 && /opt/harness/bin/pip install --no-cache-dir --disable-pip-version-check -q $offline -r /src/requirements.txt \
 && rm -rf /wheels

COPY README.md /src/README.md
COPY harness /src/harness
RUN /opt/harness/bin/pip install --no-cache-dir --disable-pip-version-check -q --no-deps --no-build-isolation /src \
 && rm -rf /src

ENV PATH=/opt/harness/bin:$PATH PYTHONUNBUFFERED=1
