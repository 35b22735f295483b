# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154 # SERVER_PID and ENDPOINT are the callers'; s3flash_version is release/env.sh's
# Sourced (bash) by the bench scripts that run the s3flash CLI, after release/env.sh and with ROOT set.
#   bench_prelude NAME TOOL...   each TOOL must be on PATH (or a path that exists); then the project is
#                                built (mvnw install, tests skipped) unless SKIP_BUILD=1, and the
#                                launcher told that the build is current.
bench_prelude() {
  local name=$1 tool
  shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$name: $tool is missing (see .ci/run for the packages)" >&2; exit 2; }
  done
  if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    (cd "$ROOT" && ./mvnw -B -q -DskipTests install)
  fi
  touch "$ROOT/bootloader/target/lib/.built"
}

# bench_s3_server DIR: an S3 API server on 127.0.0.1 (testkit's S3TestServer, which runs S3Proxy) with
# its store in DIR and its fixed test credentials exported for the aws CLI and s3flash; sets
# SERVER_PID (the caller's cleanup stops it) and ENDPOINT, and makes the bucket "bench".
bench_s3_server() {
  export AWS_ACCESS_KEY_ID=AKIAS3FLASHTEST00001 AWS_SECRET_ACCESS_KEY=s3flash-test-secret-not-for-production
  export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
  export AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required
  export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
  "$JAVA_HOME/bin/java" -cp "$ROOT/testkit/target/s3flash-testkit-$s3flash_version.jar" \
    io.github.s3flash.testkit.S3TestServer "$1" > "$1.out" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do grep -q '^endpoint=' "$1.out" && break; sleep 0.2; done
  ENDPOINT=$(sed -n 's/^endpoint=//p' "$1.out")
  [[ -n $ENDPOINT ]] || { cat "$1.out"; exit 1; }
  # Debian's aws CLI (2.9) ignores AWS_ENDPOINT_URL_S3: every aws call passes --endpoint-url.
  /usr/bin/aws --endpoint-url "$ENDPOINT" s3 mb s3://bench >/dev/null
}
