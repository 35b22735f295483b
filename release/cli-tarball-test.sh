#!/bin/sh
# Tests the CLI tarball as a build host without a JDK uses it: unpacked into a fresh directory (not
# where it was built) and run in a clean environment (env -i: no JAVA_HOME, no java on PATH, an empty
# HOME): the startup cache is accepted where it was unpacked (-XX:AOTMode=on refuses to start
# otherwise), `s3flash image create` makes an indexed image from a file and from stdin that lz4 -d
# decodes, inspect and verify accept it, and `s3flash flash` writes it, and a plain lz4 image, into a
# file byte for byte.
#
#   release/cli-tarball-test.sh [TARBALL]      (default: builds one with cli-tarball.sh --no-maven)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/cli-tarball-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
log() { echo "cli-tarball-test: $*" >&2; }
fail() { log "FAIL $*"; exit 1; }

tarball=${1:-}
if [ -z "$tarball" ]; then
    tarball=$("$here/cli-tarball.sh" --no-maven --output "$work/build" | tail -n 1)
fi
[ -f "$tarball" ] || fail "no tarball at $tarball"
mkdir -p "$work/unpacked" "$work/home" "$work/data"
tar -xzf "$tarball" -C "$work/unpacked"
cli=$(echo "$work"/unpacked/s3flash-*/bin/s3flash)
[ -x "$cli" ] || fail "no bin/s3flash in $tarball"
rm -rf "$work/build"

# The clean environment: nothing inherited, and a PATH of the few tools the test needs, so no java at
# all (a Debian 12 host may have Java 17 as /usr/bin/java: that case is checked once, further down).
mkdir -p "$work/path"
for tool in sh env dirname readlink cat head yes cmp cut grep sha256sum lz4 zstd; do
    ln -s "$(command -v "$tool")" "$work/path/$tool"
done
clean() {
    env -i PATH="$work/path" HOME="$work/home" LANG=C.UTF-8 "$@"
}
if clean sh -c 'command -v java' > /dev/null; then
    fail "java is on the clean environment's PATH: the test would prove nothing"
fi
# shellcheck disable=SC2016 # expanded by the inner shell, in the clean environment
clean sh -c 'test -z "${JAVA_HOME:-}"' || fail "JAVA_HOME leaked into the clean environment"

version=$(clean "$cli" --version | head -n 1)
log "PASS $version runs from $(dirname "$(dirname "$cli")")"

clean S3FLASH_JAVA_OPTS=-XX:AOTMode=on "$cli" providers > "$work/providers.out" 2>&1 \
    || { cat "$work/providers.out" >&2; fail "the JVM refused the startup cache where the tarball was unpacked"; }
grep -q 'source  *s3 ' "$work/providers.out" || { cat "$work/providers.out" >&2; fail "providers: no S3 source"; }
log "PASS the startup cache is used (-XX:AOTMode=on) and the providers are installed"

# A disk-like image of 9 MiB and a bit: random bytes, text, zeros; not a whole number of chunks.
image=$work/data/disk.img
{
    head -c 3145728 /dev/urandom
    head -c 3145728 /dev/zero
    yes 'a line of an OS image, compressible' | head -c 3145728
    head -c 12288 /dev/urandom
} > "$image"

clean "$cli" image create --source "$image" --target "$work/data/disk.img.lz4" --chunk-size 1m --progress none \
    > "$work/create.out" 2>&1 || { cat "$work/create.out" >&2; fail "image create from a file"; }
lz4 -q -d -c "$work/data/disk.img.lz4" | cmp - "$image" || fail "lz4 -d does not decode the indexed image to the image"
grep -q 'chunks:        10 (3 all-zero)' "$work/create.out" || { cat "$work/create.out" >&2; fail "image create's report"; }
# shellcheck disable=SC2016 # expanded by the inner shell
clean sh -c '"$0" image create --source - --target - --codec zstd --progress none < "$1" > "$2" 2> "$3"' \
    "$cli" "$image" "$work/data/disk.img.zst" "$work/stdin.out" || { cat "$work/stdin.out" >&2; fail "image create from stdin"; }
zstd -q -d -c "$work/data/disk.img.zst" | cmp - "$image" || fail "zstd -d does not decode the image made from stdin"
log "PASS image create from a file and from stdin: lz4 -d and zstd -d decode the results byte for byte"

clean "$cli" image inspect "$work/data/disk.img.lz4" --json > "$work/inspect.out" 2>&1 \
    || { cat "$work/inspect.out" >&2; fail "image inspect"; }
grep -q '"imageLength": 9449472' "$work/inspect.out" || { cat "$work/inspect.out" >&2; fail "image inspect's length"; }
clean "$cli" image verify "$work/data/disk.img.zst" --progress none > "$work/verify.out" 2>&1 \
    || { cat "$work/verify.out" >&2; fail "image verify"; }
log "PASS image inspect and verify"

sha=$(sha256sum "$image" | cut -d' ' -f1)
clean "$cli" flash --source "$work/data/disk.img.lz4" --target "$work/data/flashed.img" --create --sha256 "$sha" \
    --progress none > "$work/flash.out" 2>&1 || { cat "$work/flash.out" >&2; fail "flash of the indexed image"; }
cmp "$work/data/flashed.img" "$image" || fail "the indexed image flashed wrong"
lz4 -q -c "$image" > "$work/data/plain.img.lz4"
clean "$cli" flash --source "$work/data/plain.img.lz4" --target "$work/data/plain.img" --create --sha256 "$sha" \
    --progress none > "$work/plain.out" 2>&1 || { cat "$work/plain.out" >&2; fail "flash of a plain lz4 image"; }
cmp "$work/data/plain.img" "$image" || fail "the plain image flashed wrong"
log "PASS flash of the indexed and of a plain lz4 image into a file, SHA-256 checked"

system=/usr/sbin:/usr/bin:/sbin:/bin
system_java=$(env -i PATH=$system sh -c 'command -v java' || true)
if [ -n "$system_java" ]; then
    # The system's own java (Debian 12: 17) on PATH changes nothing: the launcher runs its runtime.
    system_version=$("$system_java" -version 2>&1 | head -n 1)
    env -i PATH=$system HOME="$work/home" "$cli" --version > "$work/system.out" 2>&1 \
        || { cat "$work/system.out" >&2; fail "with the system's java ($system_version) on PATH"; }
    grep -q 'Java 25' "$work/system.out" || { cat "$work/system.out" >&2; fail "the launcher did not run its own Java 25"; }
    log "PASS with the system's java on PATH ($system_java: $system_version) the launcher runs its own Java 25"
fi
log "all passed: $tarball"
