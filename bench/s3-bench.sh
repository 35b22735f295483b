#!/usr/bin/env bash
# Benchmark of the s3 source alone against Debian's aws CLI, on the same S3Proxy (127.0.0.1) in the
# same run.
#
#   bench/s3-bench.sh [SIZE_MIB=512] [RUNS=5] [CONCURRENCIES="1 2 4 8"] [PART_SIZES="8m"] [CAP_MIBPS]
#
# With CAP_MIBPS, both readers go through bench/s3/ThrottleProxy.java, which caps every connection at
# CAP_MIBPS MiB/s, as a real network path to S3 does (one connection: some tens of MB/s); this shows
# what parallel ranged GETs buy there. Without it, everything runs at loopback speed, CPU-bound on
# this 2-core machine.
#
# Starts S3Proxy (testkit's S3TestServer: filesystem-nio2 store in a temp dir, free port), uploads an
# lz4-compressed incompressible image of SIZE_MIB as the original's example did (`lz4 -c disk.img |
# aws s3 cp - s3://bench/disk.img.lz4`), then times RUNS reads of the whole object by `/usr/bin/aws s3
# cp s3://bench/disk.img.lz4 - > /dev/null` and by the s3 source (bench/s3/S3Bench.java: ImageStreams
# over S3ImageSource, bytes discarded, module path) at each read.concurrency and read.part-size, after
# one warm-up pair. The source's time is measured inside its JVM (JVM start-up excluded); the CLI's
# wall time includes its Python start-up (~0.5 s), reported separately below. Prints medians and the
# ratio aws/source (above 1.0: the s3 source is faster). Endpoint, credentials and region reach both
# readers through the environment (AWS_ENDPOINT_URL_S3, AWS_ACCESS_KEY_ID, AWS_REGION), except that the
# CLI gets --endpoint-url (Debian's aws 2.9 predates the endpoint variables).
# Needs: api, testkit and source-s3 built (./mvnw -pl source-s3 install), S3Proxy in ~/.m2, lz4, aws.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# The JDK (JAVA_HOME) and the project's version: release/env.sh, the one place that names them.
here=$ROOT/release
# shellcheck source-path=SCRIPTDIR source=../release/env.sh
. "$here/env.sh"
JAVA=$JAVA_HOME/bin/java
SIZE_MIB=${1:-512}
RUNS=${2:-5}
CONCURRENCIES=${3:-"1 2 4 8"}
PART_SIZES=${4:-"8m"}
CAP_MIBPS=${5:-}
VERSION=$s3flash_version
M2=$HOME/.m2/repository/io/github/s3flash
TESTKIT_JAR=$ROOT/testkit/target/s3flash-testkit-$VERSION.jar
[[ -f $TESTKIT_JAR ]] || TESTKIT_JAR=$M2/s3flash-testkit/$VERSION/s3flash-testkit-$VERSION.jar
S3_JAR=$ROOT/source-s3/target/s3flash-source-s3-$VERSION.jar
if [[ ! -f $S3_JAR ]]; then
  (cd "$ROOT" && ./mvnw -B -q -o -pl source-s3 package -DskipTests)
fi

WORK=$(mktemp -d /tmp/s3-bench.XXXXXX)
SERVER_PID=
THROTTLE_PID=
cleanup() {
  if [[ -n $THROTTLE_PID ]]; then kill "$THROTTLE_PID" 2>/dev/null || true; wait "$THROTTLE_PID" 2>/dev/null || true; fi
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The source's runtime module path: its jar, the api and the SDK closure, as Maven resolves them.
(cd "$ROOT" && ./mvnw -B -q -o -pl source-s3 dependency:build-classpath -DincludeScope=runtime \
    -Dmdep.outputFile="$WORK/runtime.path")
MODULE_PATH=$S3_JAR:$(cat "$WORK/runtime.path")

"$JAVA" -cp "$TESTKIT_JAR" io.github.s3flash.testkit.S3TestServer "$WORK/s3" > "$WORK/server.out" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 600); do
  grep -q '^endpoint=' "$WORK/server.out" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.out"; exit 1; }
  sleep 0.1
done
ENDPOINT=$(sed -n 's/^endpoint=//p' "$WORK/server.out")

export AWS_ACCESS_KEY_ID=AKIAS3FLASHTEST00001 AWS_SECRET_ACCESS_KEY=s3flash-test-secret-not-for-production
# Debian's aws CLI (2.9) ignores AWS_ENDPOINT_URL_S3: every aws call below passes --endpoint-url, or
# it would go to AWS.
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL_S3=$ENDPOINT
export AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
mkdir -p "$WORK/s3/blobs/bench"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$WORK/disk.img"
lz4 -q -c "$WORK/disk.img" | /usr/bin/aws --endpoint-url "$ENDPOINT" s3 cp - s3://bench/disk.img.lz4
rm "$WORK/disk.img"
if [[ -n $CAP_MIBPS ]]; then
  "$JAVA" "$ROOT/bench/s3/ThrottleProxy.java" "${ENDPOINT##*:}" "$CAP_MIBPS" > "$WORK/throttle.out" 2>&1 &
  THROTTLE_PID=$!
  for _ in $(seq 1 300); do
    grep -q '^port=' "$WORK/throttle.out" 2>/dev/null && break
    sleep 0.1
  done
  ENDPOINT=http://127.0.0.1:$(sed -n 's/^port=//p' "$WORK/throttle.out")
  export AWS_ENDPOINT_URL_S3=$ENDPOINT
fi
OBJECT_BYTES=$(stat -c %s "$WORK/s3/blobs/bench/disk.img.lz4")
OBJECT_MIB=$(awk -v b="$OBJECT_BYTES" 'BEGIN {printf "%.1f", b / 1048576}')

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mibps() { awk -v s="$1" -v m="$OBJECT_MIB" 'BEGIN {printf "%.0f", m / s}'; }

STARTUP=$(for _ in 1 2 3; do /usr/bin/time -f %e /usr/bin/aws --version 2>&1 >/dev/null | tail -1; done | median)
echo "object s3://bench/disk.img.lz4: $OBJECT_MIB MiB at $ENDPOINT${CAP_MIBPS:+ (capped at $CAP_MIBPS MiB/s per connection)};" \
    "$(nproc) cores; medians of $RUNS runs;" \
    "aws CLI start-up alone ~${STARTUP}s"
printf '%-44s %8s %10s %9s %8s %10s\n' "reader" "aws s" "aws MiB/s" "source s" "MiB/s" "aws/source"
for p in $PART_SIZES; do
  for c in $CONCURRENCIES; do
    # shellcheck disable=SC2086 # JAVA_OPTS holds several flags
    OUT=$("$JAVA" ${JAVA_OPTS:-} -p "$MODULE_PATH" --add-modules ALL-MODULE-PATH "$ROOT/bench/s3/S3Bench.java" \
        s3://bench/disk.img.lz4 "$RUNS" "read.concurrency=$c" "read.part-size=$p")
    A=$(awk '$1 == "aws" {print $2}' <<<"$OUT" | median)
    T=$(awk '$1 == "source" {print $2}' <<<"$OUT" | median)
    printf '%-44s %8.3f %10s %9.3f %8s %10.2f\n' "s3 source, concurrency=$c part-size=$p" "$A" "$(mibps "$A")" \
        "$T" "$(mibps "$T")" "$(awk -v a="$A" -v b="$T" 'BEGIN {print a / b}')"
  done
done
