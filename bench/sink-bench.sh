#!/usr/bin/env bash
# Benchmark of sink-blockdev against dd, in the same run, on the same loop device:
#   dd if=IMAGE of=LOOP bs=4M oflag=direct conv=fsync
# for a raw (random) image and an OS-like image with ~65% zeros. Medians of RUNS runs.
#
#   sink     bench/sink/SinkBench.java: the sink alone, fed 4 MiB chunks like the pipeline feeds it
#            (all-zero chunks to zero(), others to write()), then force(); seconds from open() to
#            after close(), and wall seconds of the whole JVM
#   cli      `s3flash flash --codec raw` end to end: file source, pipeline (SHA-256), sink; wall seconds
#
# Needs root (losetup), java 25, python3, and built jars: ./mvnw -pl sink-blockdev install and a
# built bootloader (bootloader/target/lib). Environment:
#   SIZE_MB (2048)  image size          RUNS (5)  runs per case
#   BACKING (disk)  disk: the loop's backing file is on the disk under BENCH_DIR (default /var/tmp,
#                   the same disk as /work), loop --direct-io=on so that writes reach the disk rather
#                   than the page cache, like a real disk; tmpfs: backing file in /dev/shm (RAM), which
#                   measures CPU overhead rather than the disk.
set -euo pipefail

SIZE_MB=${SIZE_MB:-2048}
RUNS=${RUNS:-5}
BACKING=${BACKING:-disk}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# The JDK (JAVA_HOME) and the project's version: release/env.sh, the one place that names them.
here=$ROOT/release
# shellcheck source-path=SCRIPTDIR source=../release/env.sh
. "$here/env.sh"
JAVA=$JAVA_HOME/bin/java
VERSION=$s3flash_version
SINK_JAR=$ROOT/sink-blockdev/target/s3flash-sink-blockdev-$VERSION.jar
API_JAR=$ROOT/bootloader/target/lib/s3flash-api-$VERSION.jar
[[ -f $API_JAR ]] || API_JAR=$HOME/.m2/repository/io/github/s3flash/s3flash-api/$VERSION/s3flash-api-$VERSION.jar
NATIVE=--enable-native-access=io.github.s3flash.sink.blockdev

case $BACKING in
  disk) WORK=$(mktemp -d "${BENCH_DIR:-/var/tmp}/s3flash-sink-bench.XXXXXX"); LOOP_DIO=on ;;
  tmpfs) WORK=$(mktemp -d /dev/shm/s3flash-sink-bench.XXXXXX); LOOP_DIO=off ;;
  *) echo "BACKING must be disk or tmpfs" >&2; exit 2 ;;
esac
IMAGES=$(mktemp -d "${BENCH_DIR:-/var/tmp}/s3flash-sink-images.XXXXXX")
LOOP=
cleanup() {
  if [[ -n $LOOP ]]; then losetup --detach "$LOOP" || true; fi
  rm -rf "$WORK" "$IMAGES"
}
trap cleanup EXIT

echo "# sink-bench: ${SIZE_MB} MiB images, $RUNS runs, backing=$BACKING ($(uname -r), $(nproc) cores)"
head -c "${SIZE_MB}M" /dev/urandom > "$IMAGES/raw.img"
python3 "$ROOT/bench/lib/os_like_image.py" "$IMAGES/os.img" "$SIZE_MB" 0.65
truncate -s "$(( SIZE_MB + 64 ))M" "$WORK/disk.img"
LOOP=$(losetup --find --show --direct-io=$LOOP_DIO "$WORK/disk.img")
echo "# target $LOOP (backing $WORK/disk.img, direct-io=$LOOP_DIO)"

"$JAVA_HOME/bin/javac" -p "$API_JAR" --add-modules io.github.s3flash.api -d "$WORK/classes" \
  "$ROOT/bench/sink/SinkBench.java"
cat "$IMAGES/raw.img" "$IMAGES/os.img" > /dev/null   # both come from the page cache, for dd and for us

declare -A TIMES
record() { TIMES[$1]+="$2 "; }
now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc -l; }

run_dd() {
  local t; t=$(now)
  dd if="$1" of="$LOOP" bs=4M oflag=direct conv=fsync status=none
  elapsed "$t"
}
# Prints "in-process-seconds open-seconds wall-seconds".
run_sink() {
  local img=$1; shift
  local t inproc; t=$(now)
  inproc=$("$JAVA" $NATIVE -p "$SINK_JAR:$API_JAR" --add-modules ALL-MODULE-PATH -cp "$WORK/classes" \
    SinkBench "$img" "$LOOP" "$@" 2>/dev/null)
  echo "$inproc $(elapsed "$t")"
}
run_cli() {
  local img=$1; shift
  local opts=() t
  for o in "$@"; do opts+=(-o "$o"); done
  t=$(now)
  "$JAVA" $NATIVE -p "$SINK_JAR:$ROOT/bootloader/target/lib:$ROOT/bootloader/target/s3flash-bootloader-$VERSION.jar" \
    -m io.github.s3flash.bootloader/io.github.s3flash.bootloader.Main flash --source "$img" --target "$LOOP" \
    --codec raw --progress none "${opts[@]}" > /dev/null
  elapsed "$t"
}
sink_case() {
  local name=$1; shift
  local r; read -r -a r < <(run_sink "$@")
  record "$name" "${r[0]}"
  record "$name (wall)" "${r[2]}"
  record open "${r[1]}"
  record "$name (excl. open)" "$(echo "${r[0]} - ${r[1]}" | bc -l)"
}
zero_device() { blkdiscard --zeroout "$LOOP"; }

for run in $(seq "$RUNS"); do
  echo "# run $run/$RUNS" >&2
  for img in raw os; do
    f=$IMAGES/$img.img
    record "$img: dd" "$(run_dd "$f")"
    sink_case "$img: sink zero=write" "$f"
    record "$img: cli zero=write" "$(run_cli "$f")"
  done
  f=$IMAGES/os.img
  sink_case "os: sink zero=zeroout" "$f" zero=zeroout
  record "os: cli zero=zeroout" "$(run_cli "$f" zero=zeroout)"
  zero_device   # a fresh (zeroed) disk: skip-if-zero reads the zero ranges and writes none of them
  sink_case "os: sink zero=skip-if-zero, zeroed disk" "$f" zero=skip-if-zero
  # The disk now holds the image: a re-flash of the same image reads everything and writes nothing.
  sink_case "os: sink skip-identical, same image on disk" "$f" skip-identical=true
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo
echo "| case | median s | MB/s | vs dd (dd s / s) |"
echo "|---|---:|---:|---:|"
echo "| sink open(), included in every sink row | $(echo "${TIMES[open]}" | median) | | |"
for img in raw os; do
  dd_median=$(echo "${TIMES[$img: dd]}" | median)
  for key in "${!TIMES[@]}"; do
    [[ $key == "$img:"* ]] || continue
    m=$(echo "${TIMES[$key]}" | median)
    printf '%s\t| %s | %.3f | %.0f | %.2f× |\n' "$key" "$key" "$m" "$(echo "$SIZE_MB * 1.048576 / $m" | bc -l)" \
      "$(echo "$dd_median / $m" | bc -l)"
  done | sort | cut -f2-
done
echo
echo "runs: $(for k in "${!TIMES[@]}"; do echo "$k: ${TIMES[$k]}"; done | sort | tr '\n' ';')"
