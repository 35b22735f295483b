#!/bin/sh
# The local demo: makes a small disk-like image, compresses it with the stock lz4 CLI (as operators
# do), and flashes it with s3flash into a file, printing progress and the verified SHA-256.
# No cloud account needed. Usage: ./demo.sh [size-in-MiB, default 256]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
size_mib=${1:-256}
work="$here/demo-out"

if ! command -v lz4 >/dev/null 2>&1; then
    echo "demo: installing the lz4 CLI (Debian package lz4)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lz4 >&2
fi

mkdir -p "$work"
image="$work/os.img"
echo "demo: making a ${size_mib} MiB disk-like image in $image (file data, text, long zero runs)"
: > "$image"
i=0
while [ $((i * 4)) -lt "$size_mib" ]; do
    case $((i % 3)) in
        0) head -c 1048576 /dev/urandom >> "$image"; truncate -s +3M "$image" ;;   # binary data, then zeros
        1) yes "/usr/lib/s3flash/demo/file-$i.conf: key=value" | head -c 2097152 >> "$image"; truncate -s +2M "$image" ;;
        2) truncate -s +4M "$image" ;;                                              # free space
    esac
    i=$((i + 1))
done
truncate -s "${size_mib}M" "$image"
expected=$(sha256sum "$image" | cut -d' ' -f1)

echo "demo: compressing with the lz4 CLI: lz4 -c os.img > os.img.lz4"
lz4 -q -f -c "$image" > "$image.lz4"
ls -l "$image" "$image.lz4"

echo "demo: flashing with s3flash (the codec is detected from the image's magic bytes)"
"$here/s3flash" flash --source "$image.lz4" --target "$work/disk.img" --create --sha256 "$expected" --progress-interval 1

cmp "$image" "$work/disk.img"
echo "demo: ok: $work/disk.img equals the image byte for byte (sha256 $expected)"
