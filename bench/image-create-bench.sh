#!/usr/bin/env bash
# Benchmark of `s3flash image create` (indexed images) against the stock CLIs compressing the same
# image in the same run: time and size, medians of RUNS rounds.
#
#   bench/image-create-bench.sh [SIZE_MIB=2048] [RUNS=3]        (SKIP_BUILD=1 to use the current build)
#
# Images: the bench's OS-like image (bench/lib/os_like_image.py, 67% zeros, as e2e-bench.sh uses)
# and a random one, read from the page cache. Each round runs, in turn, every method writing to
# /dev/null through stdout (so the disk's write-back does not blur the comparison):
#   lz4           lz4 -q -c IMG                                   (level 1, 4 MiB independent blocks)
#   s3flash-lz4   ./s3flash image create --source IMG --target - (lz4 level 1, 4 MiB chunks)
#   zstd          zstd -q -T0 -c IMG                              (level 3, all cores)
#   s3flash-zstd  ./s3flash image create --codec zstd ...        (level 3, 4 MiB chunks, all cores)
# Sizes come from one run of each method into a file, which is also decoded with lz4 -d / zstd -d
# and compared with the image (cmp) before the timed rounds. CPU is user + system seconds.
# Goals (issue 14): s3flash-lz4 at least as fast as lz4, size within 1% of lz4's; s3flash-zstd size
# within 3% of zstd's at the same level.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZE_MIB=${1:-2048}
RUNS=${2:-3}
# The JDK (JAVA_HOME): release/env.sh, the one place that names it.
here=$ROOT/release
# shellcheck source-path=SCRIPTDIR source=../release/env.sh
. "$here/env.sh"

# shellcheck source-path=SCRIPTDIR source=lib/prelude.sh
. "$ROOT/bench/lib/prelude.sh"
bench_prelude image-create-bench lz4 zstd python3 cmp /usr/bin/time

WORK=$(mktemp -d "${BENCH_DIR:-/var/tmp}/image-create-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "image-create-bench: making ${SIZE_MIB} MiB images in $WORK"
python3 "$ROOT/bench/lib/os_like_image.py" "$WORK/os.img" "$SIZE_MIB" 0.67
head -c $((SIZE_MIB << 20)) /dev/urandom > "$WORK/random.img"

command_for() { # method image
  case $1 in
    lz4) echo "lz4 -q -c '$WORK/$2.img'" ;;
    s3flash-lz4) echo "'$ROOT/s3flash' image create --source '$WORK/$2.img' --target - --progress none 2>/dev/null" ;;
    zstd) echo "zstd -q -T0 -c '$WORK/$2.img'" ;;
    s3flash-zstd) echo "'$ROOT/s3flash' image create --codec zstd --source '$WORK/$2.img' --target - --progress none 2>/dev/null" ;;
  esac
}
METHODS="lz4 s3flash-lz4 zstd s3flash-zstd"
for img in os random; do
  for m in $METHODS; do
    bash -c "$(command_for "$m" "$img")" > "$WORK/out"
    case $m in *lz4) decoder="lz4 -q -d -c" ;; *) decoder="zstd -q -d -c" ;; esac
    $decoder "$WORK/out" | cmp - "$WORK/$img.img" || { echo "image-create-bench: $m made a wrong image" >&2; exit 1; }
    echo "$img $m $(stat -c %s "$WORK/out")" >> "$WORK/sizes"
  done
done
rm -f "$WORK/out"
echo "image-create-bench: every output decodes to its image with the stock CLIs; timing $RUNS rounds"

for img in os random; do
  cat "$WORK/$img.img" > /dev/null
  for _ in $(seq 1 "$RUNS"); do
    for m in $METHODS; do
      /usr/bin/time -f "%e %M %U %S" -o "$WORK/t" bash -c "$(command_for "$m" "$img") > /dev/null"
      echo "$img $m $(cat "$WORK/t")" >> "$WORK/times"
    done
  done
done

python3 - "$WORK/times" "$WORK/sizes" "$SIZE_MIB" "$RUNS" "$(nproc)" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
sizes = {(a, b): int(c) for a, b, c in (l.split() for l in open(sys.argv[2]))}
size = int(sys.argv[3]) << 20
methods = ("lz4", "s3flash-lz4", "zstd", "s3flash-zstd")
print(f"\nmedians of {sys.argv[4]} runs, {sys.argv[3]} MiB images, {sys.argv[5]} cores (MB/s = 10^6 image bytes per second)\n")
for img in ("os", "random"):
    def med(m, f):
        return statistics.median(f(r) for r in rows if r[0] == img and r[1] == m)
    t = {m: med(m, lambda r: float(r[2])) for m in methods}
    cpu = {m: med(m, lambda r: float(r[4]) + float(r[5])) for m in methods}
    rss = {m: max(int(r[3]) for r in rows if r[0] == img and r[1] == m) / 1024 for m in methods}
    print(f"{img} image         seconds   MB/s  CPU s  peak RSS MiB         bytes  of image")
    for m in methods:
        print(f"  {m:13s} {t[m]:8.2f} {size / t[m] / 1e6:6.0f} {cpu[m]:6.2f} {rss[m]:12.0f} {sizes[(img, m)]:13d} {100 * sizes[(img, m)] / size:8.2f}%")
    print(f"  s3flash-lz4 vs lz4:   {t['lz4'] / t['s3flash-lz4']:.2f}x as fast (goal >= 1), size {sizes[(img, 's3flash-lz4')] / sizes[(img, 'lz4')]:.4f} of lz4's (goal <= 1.01)")
    print(f"  s3flash-zstd vs zstd: {t['zstd'] / t['s3flash-zstd']:.2f}x as fast, size {sizes[(img, 's3flash-zstd')] / sizes[(img, 'zstd')]:.4f} of zstd's (goal <= 1.03)\n")
PY
