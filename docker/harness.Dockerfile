# The harness as a container image: pytest with the plugin and every scenario, run where the deployment's
# internal addresses resolve (a CI runner, a Kubernetes Job). Mount the target file's folder at /targets
# and a folder for reports at /reports; pass credentials as environment variables:
#
#   docker build -f docker/harness.Dockerfile -t camunda-harness .
#   docker run --rm -v "$PWD/targets:/targets:ro" -v "$PWD/out:/reports" --env-file harness.env \
#     camunda-harness --scenario=all --target=/targets/target.yaml --report-dir=/reports
#
# The first stages repeat docker/reference.Dockerfile line for line, so the two images share their layers
# and the second build is quick. BASE_IMAGE defaults to the public Debian image; without a registry, pass
# the debootstrapped base the harness builds (harness/backends/images.py).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 python3-venv ca-certificates nginx-light libnginx-mod-http-js \
 && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml /src/pyproject.toml
COPY docker/wheels/ /wheels/
RUN python3 -m venv /opt/harness \
 && python3 -c 'import tomllib; p = tomllib.load(open("/src/pyproject.toml", "rb")); print("\n".join(p["build-system"]["requires"] + p["project"]["dependencies"]))' \
      > /src/requirements.txt \
 && if ls /wheels/*.whl >/dev/null 2>&1; then offline="--no-index --find-links /wheels"; else offline=""; fi \
 && /opt/harness/bin/pip install --no-cache-dir --disable-pip-version-check -q $offline -r /src/requirements.txt \
 && rm -rf /wheels

# The package with its scenarios (the reference image needs only the services).
COPY README.md /src/README.md
COPY harness /src/harness
COPY scenarios /src/scenarios
RUN /opt/harness/bin/pip install --no-cache-dir --disable-pip-version-check -q --no-deps --no-build-isolation /src \
 && rm -rf /src \
 && useradd --uid 10001 --create-home --shell /usr/sbin/nologin harness \
 && mkdir -p /targets /reports && chown harness /reports

ENV PATH=/opt/harness/bin:$PATH PYTHONUNBUFFERED=1 HARNESS_STATE_DIR=/tmp/harness-state
USER 10001
WORKDIR /reports
VOLUME ["/targets", "/reports"]
ENTRYPOINT ["pytest", "-p", "no:cacheprovider"]
CMD ["--help"]
