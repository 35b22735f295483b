#!/usr/bin/env bash
# Benchmark of the http source alone against curl, on the same nginx (127.0.0.1) in the same run.
#
#   bench/http-bench.sh [SIZE_MIB=1024] [RUNS=7] [CONCURRENCIES="1 2 4 8"]
#
# Serves an incompressible image of SIZE_MIB from a fresh nginx (Debian's /usr/sbin/nginx, config of
# its own in a temp dir, free port), warms the page cache, then times RUNS reads of the whole object
# by `curl -s URL -o /dev/null` and by the http source (bench/http/HttpBench.java: ImageStreams over
# HttpImageSource, bytes discarded) at each read.concurrency, after one warm-up read each. The Java
# time is measured inside the JVM (JVM start-up, ~0.3 s, excluded; curl's own start-up is included).
# Prints medians and the ratio curl/http (above 1.0: the http source is faster).
# Needs: the api and source-http jars (built here with -o -DskipTests if missing), nginx, curl.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# The JDK (JAVA_HOME) and the project's version: release/env.sh, the one place that names them.
here=$ROOT/release
# shellcheck source-path=SCRIPTDIR source=../release/env.sh
. "$here/env.sh"
JAVA=$JAVA_HOME/bin/java
SIZE_MIB=${1:-1024}
RUNS=${2:-7}
CONCURRENCIES=${3:-"1 2 4 8"}
VERSION=$s3flash_version
API_JAR=$ROOT/api/target/s3flash-api-$VERSION.jar
[[ -f $API_JAR ]] || API_JAR=$HOME/.m2/repository/io/github/s3flash/s3flash-api/$VERSION/s3flash-api-$VERSION.jar
HTTP_JAR=${HTTP_JAR:-$ROOT/source-http/target/s3flash-source-http-$VERSION.jar}
if [[ ! -f $HTTP_JAR ]]; then
  (cd "$ROOT" && ./mvnw -B -q -o -pl source-http package -DskipTests)
fi

WORK=$(mktemp -d /tmp/http-bench.XXXXXX)
NGINX_PID=
cleanup() {
  if [[ -n $NGINX_PID ]]; then kill "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/www"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$WORK/www/image.img"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in 1 2 3 4 5 6 7 8 9 10; do
  PORT=$((20000 + RANDOM % 40000))
  port_in_use "$PORT" || break
done
cat > "$WORK/nginx.conf" <<CONF
$( [[ $(id -u) == 0 ]] && echo "user root;" )
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path $WORK/client_body_temp;
  proxy_temp_path $WORK/proxy_temp;
  fastcgi_temp_path $WORK/fastcgi_temp;
  uwsgi_temp_path $WORK/uwsgi_temp;
  scgi_temp_path $WORK/scgi_temp;
  default_type application/octet-stream;
  sendfile on;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:$PORT;
    root $WORK/www;
  }
}
CONF
/usr/sbin/nginx -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/error.log" -g 'daemon off;' &
NGINX_PID=$!
URL=http://127.0.0.1:$PORT/image.img
for _ in $(seq 1 100); do
  curl -s -o /dev/null -r 0-0 "$URL" && break
  sleep 0.1
done
cat "$WORK/www/image.img" > /dev/null

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mibps() { awk -v s="$1" -v m="$SIZE_MIB" 'BEGIN {printf "%.0f", m / s}'; }

echo "image: $SIZE_MIB MiB, $RUNS runs each (medians), nginx on 127.0.0.1, $(nproc) cores, $(date -u +%F)," \
  "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-20s %8s %10s %8s %10s %8s %10s %12s\n' "read.concurrency" "curl s" "curl MiB/s" "jdk s" "jdk MiB/s" \
  "source s" "MiB/s" "curl/source"
for c in $CONCURRENCIES; do
  # shellcheck disable=SC2086 # JAVA_OPTS holds several flags
  OUT=$("$JAVA" ${JAVA_OPTS:-} -p "$API_JAR:$HTTP_JAR" --add-modules ALL-MODULE-PATH "$ROOT/bench/http/HttpBench.java" \
      "$URL" "$RUNS" "read.concurrency=$c")
  C=$(awk '$1 == "curl" {print $2}' <<<"$OUT" | median)
  K=$(awk '$1 == "jdk" {print $2}' <<<"$OUT" | median)
  T=$(awk '$1 == "source" {print $2}' <<<"$OUT" | median)
  printf '%-20s %8.3f %10s %8.3f %10s %8.3f %10s %12.2f\n' "$c" "$C" "$(mibps "$C")" "$K" "$(mibps "$K")" \
      "$T" "$(mibps "$T")" "$(awk -v a="$C" -v b="$T" 'BEGIN {print a / b}')"
done
