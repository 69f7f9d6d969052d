#!/usr/bin/env bash
# Nightly security regression run of a Camunda 8 deployment with the harness image, as a Jenkins shell
# step (Freestyle "Execute shell", or `sh 'docs/ci/jenkins.sh'` in a Pipeline with a cron trigger).
#
# Expects: the target file in targets/target.yaml of the workspace; the credentials it names exported by
# Jenkins (withCredentials / the Credentials Binding plugin); the previous build's out/report.json copied
# to baseline/report.json (Copy Artifact plugin) when there is one. Archive out/** and publish
# out/junit.xml with the JUnit plugin (junit 'out/junit.xml'); the exit code is the harness's policy:
# 0 clean, 1 findings at or above --fail-on, 2 a check errored, 4 usage error, 5 nothing was tested.
set -euo pipefail

IMAGE="${HARNESS_IMAGE:-camunda-harness}"
FAIL_ON="${HARNESS_FAIL_ON:-high}"

if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
  docker build -f "${HARNESS_SRC:?set HARNESS_SRC to a checkout of the harness}/docker/harness.Dockerfile" \
    -t "$IMAGE" "$HARNESS_SRC"
fi

mkdir -p out baseline
chmod 777 out
baseline=()
if [ -s baseline/report.json ]; then
  baseline=("--baseline=/baseline/report.json")
fi

env_file="$(mktemp)"
trap 'rm -f "$env_file"' EXIT
# The variables the target file names; add yours.
for name in ZEEBE_CLIENT_ID ZEEBE_CLIENT_SECRET CAMUNDA_OPTIMIZE_CLIENT_ID CAMUNDA_OPTIMIZE_CLIENT_SECRET; do
  if [ -n "${!name:-}" ]; then printf '%s=%s\n' "$name" "${!name}" >> "$env_file"; fi
done

docker run --rm --network host --env-file "$env_file" \
  -v "$PWD/targets:/targets:ro" -v "$PWD/baseline:/baseline:ro" -v "$PWD/out:/reports" \
  "$IMAGE" --scenario=all --target=/targets/target.yaml --report-dir=/reports \
  --junit-xml=/reports/junit.xml --fail-on="$FAIL_ON" "${baseline[@]}"
