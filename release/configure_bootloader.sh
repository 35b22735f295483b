#!/bin/sh
# Configures the s3flash bootloader unpacked beside this script (normally in /boot): writes
# grub/grub.cfg from grub/grub.cfg.in with the image to flash and the disk to flash it onto.
#
#   configure_bootloader.sh <source> <root-device> [s3flash.<key>=<value> ...]
#
#   source       bucket/key (S3, as in the original) or a URI: s3://bucket/key, https://host/path, ...
#   root-device  /dev/nvme0n1, /dev/xvda, UUID=..., LABEL=..., PARTUUID=..., PARTLABEL=...
#   options      e.g. s3flash.watchdog=600 s3flash.endpoint=https://s3.example.com s3flash.sha256=...
#
# Values may use only A-Z a-z 0-9 . _ ~ : / = + @ % , - : nothing can inject into grub.cfg or the
# kernel command line. Exit codes: 0 done, 2 bad usage, 3 refused (grub.cfg unchanged).
# POSIX sh; the same rules and output as `s3flash grub configure`.
set -eu
LC_ALL=C
export LC_ALL
dir=$(cd "$(dirname "$0")" && pwd)
me=configure_bootloader.sh

if [ $# -lt 2 ]; then
    echo "usage: $me <source> <root-device> [s3flash.<key>=<value> ...]" >&2
    exit 2
fi
refuse() {
    echo "$me: refused: $1; grub.cfg is unchanged" >&2
    exit 3
}
nl='
'
safe='A-Za-z0-9._~:/=+@%,-'
# check WHAT VALUE ERE EXPECTED
check() {
    case $2 in *"$nl"*) refuse "$1 contains a newline" ;; esac
    [ ${#2} -le 512 ] || refuse "$1 is longer than 512 characters"
    printf '%s\n' "$2" | grep -Eq "^($3)\$" || refuse "refusing $1 '$2': expected $4 (no quotes, spaces, ;, \$, \`, braces or backslashes)"
}
check source "$1" "[A-Za-z0-9][$safe]*/[$safe]*" "bucket/key or a URI such as s3://bucket/key, using only $safe"
check "root device" "$2" "/dev/[A-Za-z0-9._:+/-]+|(UUID|LABEL|PARTUUID|PARTLABEL)=[A-Za-z0-9._:+-]+" \
    "/dev/<name>, UUID=, LABEL=, PARTUUID= or PARTLABEL="
args="root=$2 source=$1"
src=$1 root=$2
shift 2
for option in "$@"; do
    check option "$option" "s3flash\\.[a-z0-9_.-]+=[$safe]*" "s3flash.<key>=<value>, the value using only $safe"
    args="$args $option"
done

template=$dir/grub/grub.cfg.in
[ -f "$template" ] || refuse "$template is missing"
count=$(awk '{ n += gsub(/@S3FLASH_ARGS@/, "") } END { print n + 0 }' "$template")
[ "$count" -eq 1 ] || refuse "$template must contain @S3FLASH_ARGS@ exactly once"

tmp=$dir/grub/.grub.cfg.s3flash-tmp
trap 'rm -f "$tmp"' EXIT
# The values hold no | & or \, so they are literal in the sed replacement.
sed "s|@S3FLASH_ARGS@|$args|" "$template" > "$tmp"
mv -f "$tmp" "$dir/grub/grub.cfg"
trap - EXIT
echo "configured $dir/grub/grub.cfg: root=$root source=$src"
