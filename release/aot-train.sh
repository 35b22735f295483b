#!/bin/sh
# Builds the AOT cache that starts s3flash fast (JDK 25's ahead-of-time class loading, linking and
# method profiles, JEPs 483, 514 and 515): one training flash of a small disk-like lz4 image from S3
# (an S3Proxy on 127.0.0.1; from a file when S3Proxy or the S3 source is not at hand) onto a loop
# device (a file when not root), then the JVM writes the cache. Without it every start loads, links
# and profiles the same ~4000 classes again: about half a second of a 2-core machine's time per flash.
#
#   release/aot-train.sh [--root DIR] OUTPUT.aot -- JAVA [JVM-FLAGS...] -p MODULE-PATH -m MODULE/MAIN
#
# The java command must be exactly the one later runs use (same runtime, flags and module path, with
# the same jar sizes and times): a cache made for another module path is refused by the JVM, which
# then runs without it. --root DIR runs the training chrooted in DIR (an initrd tree: JAVA and the
# module path are paths inside it; OUTPUT is a path outside). The S3 server is testkit's
# S3TestServer (TESTKIT_JAR, default testkit/target/s3flash-testkit-*.jar) run by the JDK in
# JAVA_HOME; nothing leaves 127.0.0.1.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
usage() { echo "usage: $0 [--root DIR] OUTPUT.aot -- JAVA [JVM-FLAGS...] -p MODULE-PATH -m MODULE/MAIN" >&2; exit 2; }
log() { echo "aot-train: $*" >&2; }

root=
if [ "${1:-}" = --root ]; then
    [ $# -ge 2 ] || usage
    root=$(cd "$2" && pwd)
    shift 2
fi
if [ $# -lt 3 ] || [ "$2" != -- ]; then
    usage
fi
output=$1
shift 2
java=$1
shift
# shellcheck source-path=SCRIPTDIR source=env.sh
. "$here/env.sh"

work=$(mktemp -d "$root/tmp/s3flash-aot.XXXXXX")
inner=${work#"$root"}        # the work directory as the training JVM sees it
server_pid=
loop=
mounted=
cleanup() {
    # set -e holds in this trap too: a server that died of the TERM (wait says 143) must not end it.
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ -n "$loop" ]; then
        losetup -d "$loop" 2>/dev/null || true
    fi
    for m in $mounted; do umount "$m" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
# A signal ends the script (through the EXIT trap's cleanup), rather than running on after it.
trap 'exit 130' INT
trap 'exit 143' TERM

# 8 MiB like a disk: binary data, text, zero runs.
{
    head -c 2097152 /dev/urandom
    head -c 2097152 /dev/zero
    yes 's3flash AOT training' | head -c 2097152
    head -c 2097152 /dev/zero
} > "$work/image.raw"
image=image.raw
codec="--codec raw"
if command -v lz4 >/dev/null 2>&1; then
    lz4 -q -f "$work/image.raw" "$work/image.lz4"
    image=image.lz4
    codec=
fi

source="$inner/$image"
endpoint=
modulepath=
prev=
for a in "$@"; do
    case $prev in -p|--module-path) modulepath=$a ;; esac
    case $a in --module-path=*) modulepath=${a#--module-path=} ;; esac
    prev=$a
done
has_s3=no
old_ifs=$IFS; IFS=:
for dir in $modulepath; do
    for j in "$root$dir"/s3flash-source-s3-*.jar; do
        [ -f "$j" ] && has_s3=yes
    done
done
IFS=$old_ifs
testkit=${TESTKIT_JAR:-$s3flash_top/testkit/target/s3flash-testkit-$s3flash_version.jar}
if [ $has_s3 = yes ] && [ -n "$testkit" ] && [ -f "$testkit" ]; then
    "$JAVA_HOME/bin/java" -cp "$testkit" io.github.s3flash.testkit.S3TestServer "$work/s3" > "$work/s3.out" 2>&1 &
    server_pid=$!
    i=0
    # Until it says where it listens, or it has died (no S3Proxy jar: S3TestServer exits at once).
    while [ $i -lt 300 ] && ! grep -q '^endpoint=' "$work/s3.out" && kill -0 "$server_pid" 2>/dev/null; do
        sleep 0.2
        i=$((i + 1))
    done
    endpoint=$(sed -n 's/^endpoint=//p' "$work/s3.out")
fi
if [ -n "$endpoint" ]; then
    export AWS_ACCESS_KEY_ID=AKIAS3FLASHTEST00001 AWS_SECRET_ACCESS_KEY=s3flash-test-secret-not-for-production
    s3put() { # PATH [FILE]: a signed PUT of a bucket or an object (curl signs with SigV4)
        curl -sS -f --aws-sigv4 aws:amz:us-east-1:s3 --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
            -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' ${2:+-T "$2"} -X PUT "$endpoint/$1" > /dev/null
    }
    s3put train
    s3put "train/$image" "$work/$image"
    source="s3://train/$image"
    export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
else
    log "no S3 server for training (testkit jar or S3 source missing): training with a file source"
fi

target="$inner/target.img"
create=--create
if [ "$(id -u)" = 0 ] && command -v losetup >/dev/null 2>&1; then
    truncate -s 16M "$work/disk.img"
    if loop=$(losetup --find --show "$work/disk.img" 2>/dev/null); then
        target=$loop
        create=
    fi
fi

if [ -n "$root" ]; then
    for d in proc sys dev; do
        mkdir -p "$root/$d"
        case $d in
            proc) mount -t proc proc "$root/proc" ;;
            *) mount --bind "/$d" "$root/$d" ;;
        esac
        mounted="$root/$d $mounted"
    done
    set -- chroot "$root" "$java" "-XX:AOTCacheOutput=$inner/s3flash.aot" "$@"
else
    set -- "$java" "-XX:AOTCacheOutput=$work/s3flash.aot" "$@"
fi
log "training: flash --source $source --target $target"
# shellcheck disable=SC2086 # $codec and $create are empty or one flag
if ! "$@" flash --source "$source" --target "$target" $create $codec --progress none \
        ${endpoint:+-o s3.endpoint=$endpoint} > "$work/train.log" 2>&1; then
    cat "$work/train.log" >&2
    log "the training flash failed"
    exit 1
fi
[ -s "$work/s3flash.aot" ] || { cat "$work/train.log" >&2; log "the JVM wrote no AOT cache"; exit 1; }
mv "$work/s3flash.aot" "$output"
log "$output: $(wc -c < "$output") bytes"
