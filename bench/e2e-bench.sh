#!/usr/bin/env bash
# End-to-end benchmark: the whole flash, from object storage to an fsync'd block device, against
# native pipelines in the same run, on the same loop device, medians of RUNS rounds.
#
#   sudo bench/e2e-bench.sh [SIZE_MIB=2048] [RUNS=5]        (SKIP_BUILD=1 to use the current build)
#
# Images: an OS-like one (bench/lib/os_like_image.py: about a third file data, the rest zero runs,
# interleaved) and a random one, each compressed with `lz4` (default level, as the original's
# `lz4 -c /dev/xvdg | aws s3 cp - s3://…` did), served by S3Proxy (testkit's S3TestServer) and by
# nginx, both on 127.0.0.1. The target is a loop device over a file on this machine's disk with
# --direct-io=on, so writes reach the disk. Each round runs, in turn:
#   s3flash-s3    ./s3flash flash --source s3://bench/IMG.lz4 --target LOOP --sha256 …   (S3 source)
#   s3flash-http  ./s3flash flash --source http://127.0.0.1:PORT/IMG.lz4 --target LOOP --sha256 …
#   native        curl -s URL | lz4 -dc | dd of=LOOP bs=4M iflag=fullblock oflag=direct conv=fsync   (nginx)
#   native-s3     the same, but curl reads the object from S3Proxy (a presigned URL): the same server
#                 as s3flash-s3, so the comparison does not hinge on nginx being cheaper than S3Proxy
#   original      aws s3 cp s3://bench/IMG.lz4 TMPFS/IMG.lz4 && lz4 -d TMPFS/IMG.lz4 > LOOP && sync
#   disk          dd if=IMG of=LOOP bs=4M oflag=direct conv=fsync     (the disk's limit)
#   indexed       ./s3flash flash --source s3://bench/IMG.idx.lz4 --target LOOP --image-digest …: the
#                 same image made with `s3flash image create` (lz4, 4 MiB chunks), flashed chunk by
#                 chunk (zero chunks never fetched, every chunk checked against the pinned manifest)
#   indexed-http  `indexed` from nginx (http://127.0.0.1:PORT/IMG.idx.lz4, ranged reads): the same
#                 server as the native pipeline, which S3Proxy's CPU on the same 2 cores otherwise blurs
#   indexed-delta the same with --delta, right after `indexed` (the disk holds the image): a re-flash
#   indexed-1cpu  `indexed` pinned to one core (taskset -c 0), for the scaling ratio
#   indexed-zeroout, indexed-delta-zeroout  `indexed` and `indexed-delta` with -o zero=zeroout: zero
#                 chunks zeroed by the kernel (a loop device has a write-zeroes command), and a delta
#                 re-flash that therefore zeroes them rather than reading them back
# Peak memory is the largest resident set of the command's processes (GNU time's %M); CPU is the
# command's user + system seconds, and "server" the CPU seconds S3Proxy or nginx spent meanwhile, on
# the same 2 cores. Every method's output is checked once against the image (cmp) before the timed
# rounds (the first s3flash run also makes the launcher's startup cache).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZE_MIB=${1:-2048}
RUNS=${2:-5}
# The JDK (JAVA_HOME) and the project's version: release/env.sh, the one place that names them.
here=$ROOT/release
# shellcheck source-path=SCRIPTDIR source=../release/env.sh
. "$here/env.sh"
AWS=/usr/bin/aws

# shellcheck source-path=SCRIPTDIR source=lib/prelude.sh
. "$ROOT/bench/lib/prelude.sh"
bench_prelude e2e-bench lz4 curl dd nginx losetup python3 "$AWS" /usr/bin/time

WORK=$(mktemp -d "${BENCH_DIR:-/var/tmp}/e2e-bench.XXXXXX")
SERVER_PID='' NGINX_PID='' LOOP=''
cleanup() {
  if [[ -n $LOOP ]]; then losetup -d "$LOOP" 2>/dev/null || true; fi
  if [[ -n $NGINX_PID ]]; then kill "$NGINX_PID" 2>/dev/null || true; fi
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  if mountpoint -q "$WORK/tmpfs"; then umount "$WORK/tmpfs" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/www" "$WORK/tmpfs"
mount -t tmpfs -o size=$((SIZE_MIB + 512))m tmpfs "$WORK/tmpfs"

echo "e2e-bench: making ${SIZE_MIB} MiB images in $WORK"
python3 "$ROOT/bench/lib/os_like_image.py" "$WORK/os.img" "$SIZE_MIB" 0.67
head -c $((SIZE_MIB << 20)) /dev/urandom > "$WORK/random.img"
for img in os random; do
  lz4 -q -f "$WORK/$img.img" "$WORK/www/$img.img.lz4"
done

bench_s3_server "$WORK/s3"
for img in os random; do
  "$AWS" --endpoint-url "$ENDPOINT" s3 cp --quiet - "s3://bench/$img.img.lz4" < "$WORK/www/$img.img.lz4"
  "$ROOT/s3flash" image create --source "$WORK/$img.img" --target "$WORK/www/$img.idx.lz4" --progress none \
    > "$WORK/$img.create"
  sed -n 's/^  image digest: *//p' "$WORK/$img.create" > "$WORK/$img.digest"
  "$AWS" --endpoint-url "$ENDPOINT" s3 cp --quiet "$WORK/www/$img.idx.lz4" "s3://bench/$img.idx.lz4"
done

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
user root;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  server { listen 127.0.0.1:$PORT; root $WORK/www; }
}
CONF
nginx -c "$WORK/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/os.img.lz4" -r 0-0 && break; sleep 0.1; done
for img in os random; do
  "$AWS" --endpoint-url "$ENDPOINT" s3 presign "s3://bench/$img.img.lz4" --expires-in 86400 > "$WORK/$img.presigned"
done
# CPU seconds (user + system, in clock ticks) the servers have used so far: S3Proxy runs as a child
# java process of S3TestServer; nginx's worker does nginx's work.
server_ticks() {
  local total=0 pid
  for pid in $(pgrep -P "$SERVER_PID" java) $(pgrep -P "$NGINX_PID"); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}

truncate -s $(((SIZE_MIB + 64) << 20)) "$WORK/disk.img"
LOOP=$(losetup --find --show --direct-io=on "$WORK/disk.img")
echo "e2e-bench: target $LOOP (direct I/O onto $WORK/disk.img); S3 at $ENDPOINT; nginx on port $PORT"

command_for() { # method image
  local url="http://127.0.0.1:$PORT/$2.img.lz4" sha
  sha=$(cat "$WORK/$2.sha256")
  case $1 in
    s3flash-s3) echo "'$ROOT/s3flash' flash --source s3://bench/$2.img.lz4 --target $LOOP --sha256 $sha --progress none -o s3.endpoint=$ENDPOINT > /dev/null" ;;
    s3flash-http) echo "'$ROOT/s3flash' flash --source $url --target $LOOP --sha256 $sha --progress none > /dev/null" ;;
    native) echo "curl -s $url | lz4 -dc | dd of=$LOOP bs=4M iflag=fullblock oflag=direct conv=fsync status=none" ;;
    native-s3) echo "curl -s '$(cat "$WORK/$2.presigned")' | lz4 -dc | dd of=$LOOP bs=4M iflag=fullblock oflag=direct conv=fsync status=none" ;;
    original) echo "$AWS --endpoint-url $ENDPOINT s3 cp --quiet s3://bench/$2.img.lz4 $WORK/tmpfs/$2.img.lz4 && lz4 -q -d -c $WORK/tmpfs/$2.img.lz4 > $LOOP && sync; rm -f $WORK/tmpfs/$2.img.lz4" ;;
    disk) echo "dd if=$WORK/$2.img of=$LOOP bs=4M oflag=direct conv=fsync status=none" ;;
    indexed) echo "'$ROOT/s3flash' flash --source s3://bench/$2.idx.lz4 --target $LOOP --image-digest $(cat "$WORK/$2.digest") --progress none -o s3.endpoint=$ENDPOINT > /dev/null" ;;
    indexed-http) echo "'$ROOT/s3flash' flash --source http://127.0.0.1:$PORT/$2.idx.lz4 --target $LOOP --image-digest $(cat "$WORK/$2.digest") --progress none > /dev/null" ;;
    indexed-delta) echo "'$ROOT/s3flash' flash --source s3://bench/$2.idx.lz4 --target $LOOP --image-digest $(cat "$WORK/$2.digest") --delta --progress none -o s3.endpoint=$ENDPOINT > /dev/null" ;;
    indexed-1cpu) echo "taskset -c 0 '$ROOT/s3flash' flash --source s3://bench/$2.idx.lz4 --target $LOOP --image-digest $(cat "$WORK/$2.digest") --progress none -o s3.endpoint=$ENDPOINT > /dev/null" ;;
    indexed-zeroout) echo "'$ROOT/s3flash' flash --source s3://bench/$2.idx.lz4 --target $LOOP --image-digest $(cat "$WORK/$2.digest") --progress none -o s3.endpoint=$ENDPOINT -o zero=zeroout > /dev/null" ;;
    indexed-delta-zeroout) echo "'$ROOT/s3flash' flash --source s3://bench/$2.idx.lz4 --target $LOOP --image-digest $(cat "$WORK/$2.digest") --delta --progress none -o s3.endpoint=$ENDPOINT -o zero=zeroout > /dev/null" ;;
  esac
}
METHODS=${METHODS:-"s3flash-s3 s3flash-http native native-s3 original disk indexed indexed-http indexed-delta indexed-1cpu indexed-zeroout indexed-delta-zeroout"}
for img in os random; do
  sha256sum "$WORK/$img.img" | cut -d' ' -f1 > "$WORK/$img.sha256"
  for m in $METHODS; do
    dd if=/dev/urandom of="$LOOP" bs=1M count=64 oflag=direct status=none
    bash -c "$(command_for "$m" "$img")"
    cmp -n $((SIZE_MIB << 20)) "$WORK/$img.img" "$LOOP" || { echo "e2e-bench: $m wrote a wrong image" >&2; exit 1; }
  done
done
echo "e2e-bench: every method wrote the image byte for byte; timing $RUNS rounds"

for img in os random; do
  for _ in $(seq 1 "$RUNS"); do
    for m in $METHODS; do
      before=$(server_ticks)
      /usr/bin/time -f "%e %M %U %S" -o "$WORK/t" bash -c "$(command_for "$m" "$img")"
      echo "$img $m $(cat "$WORK/t") $(( $(server_ticks) - before ))" >> "$WORK/times"
    done
  done
done

python3 - "$WORK/times" "$SIZE_MIB" "$RUNS" "$(getconf CLK_TCK)" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
size = int(sys.argv[2]) << 20
tck = int(sys.argv[4])
methods = ("s3flash-s3", "s3flash-http", "native", "native-s3", "original", "disk", "indexed", "indexed-http",
           "indexed-delta", "indexed-1cpu", "indexed-zeroout", "indexed-delta-zeroout")
present = {r[1] for r in rows}
methods = tuple(m for m in methods if m in present)
print(f"\nmedians of {sys.argv[3]} runs, {sys.argv[2]} MiB images (MB/s = 10^6 image bytes per second)\n")
for img in ("os", "random"):
    def med(m, f):
        return statistics.median(f(r) for r in rows if r[0] == img and r[1] == m)
    t = {m: med(m, lambda r: float(r[2])) for m in methods}
    cpu = {m: med(m, lambda r: float(r[4]) + float(r[5])) for m in methods}
    server = {m: med(m, lambda r: int(r[6]) / tck) for m in methods}
    rss = {m: max(int(r[3]) for r in rows if r[0] == img and r[1] == m) / 1024 for m in t}
    print(f"{img} image        seconds   MB/s  peak RSS MiB  CPU s  server CPU s")
    for m in t:
        print(f"  {m:13s} {t[m]:8.2f} {size / t[m] / 1e6:6.0f} {rss[m]:12.0f} {cpu[m]:6.2f} {server[m]:8.2f}")
    def ratio(text, a, b, goal=""):
        if a in t and b in t:
            print(f"  {text}: {t[a] / t[b]:.2f}{goal}")
    ratio("s3flash-s3 vs native pipeline (nginx), x faster", "native", "s3flash-s3")
    ratio("s3flash-s3 vs original method, x faster", "original", "s3flash-s3")
    ratio("s3flash-http vs native pipeline, x faster", "native", "s3flash-http")
    goal = " (goal 2.0)" if img == "os" else " (goal 1.2)"
    ratio("indexed vs native pipeline (nginx), x faster", "native", "indexed", goal)
    ratio("indexed vs native pipeline (S3Proxy), x faster", "native-s3", "indexed")
    ratio("indexed from nginx vs native pipeline (nginx), x faster", "native", "indexed-http")
    ratio("indexed vs original method, x faster", "original", "indexed", " (goal 5)" if img == "os" else "")
    ratio("indexed time / disk limit (dd) time", "indexed", "disk", " (goal <= 1.3)" if img == "os" else "")
    ratio("delta re-flash vs full indexed flash, x faster", "indexed", "indexed-delta", " (goal 5)")
    ratio("indexed on two cores vs one (taskset -c 0), x faster", "indexed-1cpu", "indexed", " (goal 1.6)")
    ratio("indexed, zero=zeroout, vs native pipeline (nginx), x faster", "native", "indexed-zeroout")
    ratio("indexed, zero=zeroout, time / disk limit (dd) time", "indexed-zeroout", "disk")
    ratio("delta re-flash vs full indexed flash, both zero=zeroout, x faster", "indexed-zeroout",
          "indexed-delta-zeroout")
    if "indexed" in rss:
        print(f"  indexed peak RSS: {rss['indexed']:.0f} MiB (goal <= 300, independent of the image size)")
    print()
PY
