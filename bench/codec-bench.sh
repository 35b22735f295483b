#!/usr/bin/env bash
# Benchmark of codec-lz4 and codec-zstd against the native CLIs, in the same run, on the same files:
#   native: lz4 -d -c FILE > /dev/null        zstd -d -c FILE > /dev/null
#   ours:   bench/codec/CodecBench.java: the codec found through ServiceLoader decodes FILE, read
#           256 KiB at a time as the pipeline reads; the decode time inside the JVM (after start-up)
# for an OS-like image (bench/lib/os_like_image.py with 45% zero runs; data three quarters text-like, one quarter
# random) and a random one. Both sides verify the formats' checksums (lz4 content checksum, zstd
# frame checksum); before timing, each side's decoded SHA-256 is compared with the image's.
# Reports MB/s (10^6 bytes of decoded output per second), medians of RUNS runs, and ours/native;
# also per CPU-second (user+sys of the CLI; CPU time of our decoding thread), which a machine shared
# with other work disturbs less than wall time.
#
# Needs java 25, python3, lz4, zstd and built jars: ./mvnw -pl codec-lz4,codec-zstd install (or
# package) with api in ~/.m2. Environment: SIZE_MB (1024) image size, RUNS (5), BENCH_DIR (/var/tmp).
set -euo pipefail

SIZE_MB=${1:-${SIZE_MB:-1024}}
RUNS=${RUNS:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# The JDK (JAVA_HOME) and the project's version: release/env.sh, the one place that names them.
here=$ROOT/release
# shellcheck source-path=SCRIPTDIR source=../release/env.sh
. "$here/env.sh"
JAVA=$JAVA_HOME/bin/java
VERSION=$s3flash_version
M2=$HOME/.m2/repository
MP=$ROOT/codec-lz4/target/s3flash-codec-lz4-$VERSION.jar:$ROOT/codec-zstd/target/s3flash-codec-zstd-$VERSION.jar
MP=$MP:$M2/io/github/s3flash/s3flash-api/$VERSION/s3flash-api-$VERSION.jar
newest() { printf '%s\n' "$@" | sort -V | tail -1; }
MP=$MP:$(newest "$M2"/at/yawk/lz4/lz4-java/*/lz4-java-*[0-9].jar)
MP=$MP:$(newest "$M2"/com/github/luben/zstd-jni/*/zstd-jni-*[0-9].jar)
NATIVE=--enable-native-access=org.lz4.java,com.github.luben.zstd_jni
MODULES=io.github.s3flash.api,io.github.s3flash.codec.lz4,io.github.s3flash.codec.zstd
JAVA_ARGS=("$NATIVE" -p "$MP" --add-modules "$MODULES" "$ROOT/bench/codec/CodecBench.java")

WORK=$(mktemp -d "${BENCH_DIR:-/var/tmp}/s3flash-codec-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
now() { date +%s.%N; }

echo "# codec-bench: ${SIZE_MB} MiB images, $RUNS runs ($(uname -r), $(nproc) cores, $(lz4 --version 2>&1 | grep -o 'v[0-9.]*' | head -1) lz4, $(zstd --version | grep -o 'v[0-9.]*') zstd, java $("$JAVA" -version 2>&1 | head -1 | grep -o '"[^"]*"'))"
python3 "$ROOT/bench/lib/os_like_image.py" "$WORK/os.img" "$SIZE_MB" 0.45
head -c "${SIZE_MB}M" /dev/urandom > "$WORK/random.img"

printf '%-8s %-5s %6s %12s %10s %10s %7s %12s %10s %7s\n' image codec shrink "native MB/s" "ours MB/s" "ours wall" ratio \
  "native MB/cpu-s" "ours MB/cpu-s" ratio
for img in os random; do
  raw=$WORK/$img.img
  bytes=$(stat -c %s "$raw")
  sum=$(sha256sum "$raw" | cut -d' ' -f1)
  lz4 -q -f "$raw" "$WORK/$img.lz4"
  zstd -q -f -T0 "$raw" -o "$WORK/$img.zst"
  for codec in lz4 zstd; do
    f=$WORK/$img.$([[ $codec == lz4 ]] && echo lz4 || echo zst)
    [[ $(${codec} -d -c "$f" | sha256sum | cut -d' ' -f1) == "$sum" ]] || { echo "native $codec decoded wrong bytes" >&2; exit 1; }
    [[ $("$JAVA" "${JAVA_ARGS[@]}" "$codec" "$f" --sha256) == "$sum" ]] || { echo "our $codec decoded wrong bytes" >&2; exit 1; }
    native=() ours=() wall=() ncpu=() ocpu=()
    for ((r = 0; r < RUNS; r++)); do
      t0=$(now); read -r user sys < <( { /usr/bin/time -f '%U %S' "$codec" -d -c "$f" > /dev/null; } 2>&1 ); t1=$(now)
      native+=("$(echo "$bytes / ($t1 - $t0) / 1000000" | bc -l)")
      ncpu+=("$(echo "$bytes / ($user + $sys + 0.005) / 1000000" | bc -l)")
      t0=$(now); read -r n secs cpu < <("$JAVA" "${JAVA_ARGS[@]}" "$codec" "$f"); t1=$(now)
      [[ $n == "$bytes" ]] || { echo "our $codec decoded $n bytes, not $bytes" >&2; exit 1; }
      ours+=("$(echo "$bytes / $secs / 1000000" | bc -l)")
      ocpu+=("$(echo "$bytes / $cpu / 1000000" | bc -l)")
      wall+=("$(echo "$bytes / ($t1 - $t0) / 1000000" | bc -l)")
    done
    mn=$(printf '%s\n' "${native[@]}" | median)
    mo=$(printf '%s\n' "${ours[@]}" | median)
    mw=$(printf '%s\n' "${wall[@]}" | median)
    cn=$(printf '%s\n' "${ncpu[@]}" | median)
    co=$(printf '%s\n' "${ocpu[@]}" | median)
    ratio=$(echo "$bytes / $(stat -c %s "$f")" | bc -l)
    printf '%-8s %-5s %6.2f %12.0f %10.0f %10.0f %7.2f %12.0f %10.0f %7.2f\n' "$img" "$codec" "$ratio" "$mn" "$mo" "$mw" \
      "$(echo "$mo / $mn" | bc -l)" "$cn" "$co" "$(echo "$co / $cn" | bc -l)"
  done
done
echo "# shrink: image size / compressed size; ours: decode time inside the JVM; ours wall: including"
echo "# JVM start-up; ratio: ours / native; the CLI's CPU time is rounded to 10 ms (+5 ms)"
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
