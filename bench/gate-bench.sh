#!/usr/bin/env bash
# How many ranged reads an indexed flash runs at once, against S3 connections capped as real S3's are
# (some tens of MB/s each, the link unlimited): does the fetch gate grow the number until it reaches
# read.concurrency, and does the aggregate rate then reach what that many capped connections allow?
#
#   sudo bench/gate-bench.sh [SIZE_MIB=1024] [CAP_MIBPS=40] [RUNS=3]      (SKIP_BUILD=1 to use the current build)
#
# Environment: CONCURRENCIES (default "4 8 16"), the read.concurrency values flashed (the gate's cap;
# the launcher keeps 16 idle connections, -Dhttp.maxConnections=16, so beyond 16 connections are
# reopened); INTERVAL_MS (default 250), the proxy's sampling interval; BENCH_DIR (default /var/tmp).
#
# An image of SIZE_MIB random bytes (incompressible, so the bytes on the wire are the image's bytes) is
# made into an indexed lz4 image by `s3flash image create` (4 MiB chunks) and put on S3Proxy (testkit's
# S3TestServer, 127.0.0.1), read through bench/s3/ThrottleProxy.java, which caps every connection at
# CAP_MIBPS MiB/s and writes, every INTERVAL_MS, how many connections moved bytes and how many bytes. Each
# round runs, in turn:
#   curl    curl -s -o /dev/null PRESIGNED_URL through the proxy: one connection, the native baseline
#           (and a check of the proxy: it should get CAP_MIBPS)
#   N       ./s3flash flash --source s3://bench/random.idx.lz4 --target LOOP --image-digest HEX
#           -o s3.endpoint=PROXY -o read.concurrency=N, for each N of CONCURRENCIES, onto a loop device
#           over a file on this machine's disk with --direct-io=on
# After one checked flash (cmp against the image), RUNS rounds are timed. For each N it prints the
# medians of the wall time, the rate (object MiB per second), its ratio to curl's and to N × CAP_MIBPS
# ("/(N*cap)": the whole flash, JVM start and ramp included), and from the
# proxy's intervals during the flash: the peak number of connections moving bytes, and in the steady
# part (from the first interval at the plateau, the median count of the flash's intervals, to the last
# one at it) the aggregate rate and the ratio aggregate / (connections moving × CAP_MIBPS), the issue's
# "within 90% of what the chosen concurrency allows". Then the time series of connections moving, per
# interval, of each N's median run: the gate's growth. CPU: the flash's user + system seconds, and what
# the proxy and S3Proxy spent meanwhile (the same 2 cores); the load average before and after.
# Needs: root (losetup), curl, aws, python3, /usr/bin/time; the project built (or it builds it).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZE_MIB=${1:-1024}
CAP_MIBPS=${2:-40}
RUNS=${3:-3}
CONCURRENCIES=${CONCURRENCIES:-"4 8 16"}
INTERVAL_MS=${INTERVAL_MS:-250}
# The JDK (JAVA_HOME) and the project's version: release/env.sh, the one place that names them.
here=$ROOT/release
# shellcheck source-path=SCRIPTDIR source=../release/env.sh
. "$here/env.sh"
AWS=/usr/bin/aws

# shellcheck source-path=SCRIPTDIR source=lib/prelude.sh
. "$ROOT/bench/lib/prelude.sh"
bench_prelude gate-bench curl losetup python3 "$AWS" /usr/bin/time

WORK=$(mktemp -d "${BENCH_DIR:-/var/tmp}/gate-bench.XXXXXX")
SERVER_PID='' THROTTLE_PID='' LOOP=''
cleanup() {
  if [[ -n $LOOP ]]; then losetup -d "$LOOP" 2>/dev/null || true; fi
  if [[ -n $THROTTLE_PID ]]; then kill "$THROTTLE_PID" 2>/dev/null || true; wait "$THROTTLE_PID" 2>/dev/null || true; fi
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

echo "gate-bench: making a ${SIZE_MIB} MiB random image in $WORK"
head -c $((SIZE_MIB << 20)) /dev/urandom > "$WORK/random.img"
"$ROOT/s3flash" image create --source "$WORK/random.img" --target "$WORK/random.idx.lz4" --progress none \
  > "$WORK/create.out"
DIGEST=$(sed -n 's/^  image digest: *//p' "$WORK/create.out")
[[ -n $DIGEST ]] || { cat "$WORK/create.out"; exit 1; }

bench_s3_server "$WORK/s3"
"$AWS" --endpoint-url "$ENDPOINT" s3 cp --quiet "$WORK/random.idx.lz4" s3://bench/random.idx.lz4
OBJECT_BYTES=$(stat -c %s "$WORK/random.idx.lz4")
rm -f "$WORK/random.idx.lz4"

"$JAVA_HOME/bin/java" "$ROOT/bench/s3/ThrottleProxy.java" "${ENDPOINT##*:}" "$CAP_MIBPS" "$WORK/intervals" \
  "$INTERVAL_MS" > "$WORK/throttle.out" 2>&1 &
THROTTLE_PID=$!
for _ in $(seq 1 300); do grep -q '^port=' "$WORK/throttle.out" && break; sleep 0.1; done
PROXY=http://127.0.0.1:$(sed -n 's/^port=//p' "$WORK/throttle.out")
[[ $PROXY != http://127.0.0.1: ]] || { cat "$WORK/throttle.out"; exit 1; }
# Signed for the proxy's address: the proxy passes the Host header on unchanged, and S3Proxy checks it.
PRESIGNED=$("$AWS" --endpoint-url "$PROXY" s3 presign s3://bench/random.idx.lz4 --expires-in 86400)
# CPU seconds (clock ticks) the proxy and S3Proxy (a child java process of S3TestServer) have used so far.
server_ticks() {
  local total=0 pid
  for pid in "$THROTTLE_PID" $(pgrep -P "$SERVER_PID" java); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}

truncate -s $(((SIZE_MIB + 64) << 20)) "$WORK/disk.img"
LOOP=$(losetup --find --show --direct-io=on "$WORK/disk.img")
echo "gate-bench: target $LOOP (direct I/O onto $WORK/disk.img); S3Proxy at $ENDPOINT, through $PROXY" \
  "capped at $CAP_MIBPS MiB/s per connection"

command_for() { # method
  case $1 in
    curl) echo "curl -sf -o /dev/null '$PRESIGNED'" ;;
    *) echo "'$ROOT/s3flash' flash --source s3://bench/random.idx.lz4 --target $LOOP --image-digest $DIGEST" \
         "--progress none -o s3.endpoint=$PROXY -o read.concurrency=$1 > /dev/null" ;;
  esac
}
last=${CONCURRENCIES##* }
dd if=/dev/urandom of="$LOOP" bs=1M count=64 oflag=direct status=none
bash -c "$(command_for "$last")"
cmp -n $((SIZE_MIB << 20)) "$WORK/random.img" "$LOOP" || { echo "gate-bench: the flash wrote a wrong image" >&2; exit 1; }
echo "gate-bench: the flash wrote the image byte for byte; timing $RUNS rounds"

for run in $(seq 1 "$RUNS"); do
  for m in curl $CONCURRENCIES; do
    before=$(server_ticks)
    start=$(date +%s%3N)
    /usr/bin/time -f "%e %M %U %S" -o "$WORK/t" bash -c "$(command_for "$m")"
    end=$(date +%s%3N)
    echo "$run $m $start $end $(cat "$WORK/t") $(( $(server_ticks) - before ))" >> "$WORK/times"
    # Two quiet intervals, so no interval of the proxy holds bytes of two commands.
    sleep "$(awk -v ms="$INTERVAL_MS" 'BEGIN {print 2 * ms / 1000}')"
  done
done

python3 - "$WORK/times" "$WORK/intervals" "$OBJECT_BYTES" "$CAP_MIBPS" "$RUNS" "$(getconf CLK_TCK)" \
  "$LOAD_BEFORE" "$(cut -d' ' -f1-3 /proc/loadavg)" "$SIZE_MIB" "$INTERVAL_MS" <<'PY'
import statistics, sys
times = [l.split() for l in open(sys.argv[1])]
samples = [tuple(int(x) for x in l.split()) for l in open(sys.argv[2])]
object_bytes, cap, runs, tck = int(sys.argv[3]), float(sys.argv[4]), sys.argv[5], int(sys.argv[6])
interval = int(sys.argv[10])
MiB = 1 << 20

def window(start, end):
    """The proxy's intervals that began after the command did and ended by one interval after it."""
    return [s for s in samples if s[0] - s[1] >= start - 5 and s[0] <= end + interval and s[3] > 0]

def steady(w):
    """From the first interval at the plateau (the median count) to the last one at it."""
    inner = w[1:-1] or w
    plateau = statistics.median_low(s[2] for s in inner)
    at = [i for i, s in enumerate(w) if s[2] >= plateau]
    part = w[at[0]:at[-1] + 1]
    bytes_ = sum(s[3] for s in part)
    seconds = sum(s[1] for s in part) / 1000
    allowed = sum(s[2] * cap * MiB * s[1] / 1000 for s in part)
    return plateau, bytes_ / MiB / seconds, statistics.mean(s[2] for s in part), bytes_ / allowed

print(f"\ngate-bench: {sys.argv[9]} MiB random image, object {object_bytes / MiB:.1f} MiB, {cap:g} MiB/s per"
      f" connection, {interval} ms intervals, medians of {runs} runs; load average {sys.argv[7]} before,"
      f" {sys.argv[8]} after\n")
methods = list(dict.fromkeys(r[1] for r in times))
curl = statistics.median(float(r[4]) for r in times if r[1] == "curl")
print(f"{'method':17s} {'wall s':>7s} {'MiB/s':>7s} {'x curl':>7s} {'/(N*cap)':>8s} {'peak':>5s} {'plateau':>7s}"
      f" {'steady MiB/s':>12s} {'mean conns':>10s} {'ratio':>6s} {'CPU s':>6s} {'proxies CPU s':>13s}")
series = {}
for m in methods:
    rows = [r for r in times if r[1] == m]
    wall = statistics.median(float(r[4]) for r in rows)
    cpu = statistics.median(float(r[6]) + float(r[7]) for r in rows)
    srv = statistics.median(int(r[8]) / tck for r in rows)
    stats = [(float(r[4]), window(int(r[2]), int(r[3]))) for r in rows]
    stats = [(w_, s) for w_, s in stats if s]
    peak = statistics.median(max(s[2] for s in w) for _, w in stats)
    st = [steady(w) for _, w in stats]
    plateau = statistics.median(x[0] for x in st)
    rate = statistics.median(x[1] for x in st)
    conns = statistics.median(x[2] for x in st)
    ratio = statistics.median(x[3] for x in st)
    n = 1 if m == "curl" else int(m)
    name = "curl (1 conn)" if m == "curl" else f"flash, N={m}"
    print(f"{name:17s} {wall:7.2f} {object_bytes / MiB / wall:7.1f} {curl / wall:7.2f}"
          f" {object_bytes / MiB / wall / (n * cap):8.2f} {peak:5.0f} {plateau:7.0f} {rate:12.1f} {conns:10.1f}"
          f" {ratio:6.2f} {cpu:6.2f} {srv:13.2f}")
    # The run whose wall time is the median (the lower one of an even count).
    stats.sort(key=lambda x: x[0])
    series[name] = stats[(len(stats) - 1) // 2][1]
print("\nconnections moving bytes per interval, the median run of each (the gate's growth):")
for name, w in series.items():
    if not name.startswith("curl"):
        print(f"  {name:13s} " + " ".join(str(s[2]) for s in w))
PY
