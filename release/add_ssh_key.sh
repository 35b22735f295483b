#!/bin/sh
# Lets root log in by SSH to the s3flash bootloader's in-memory OS: appends a gzip-compressed newc
# cpio archive holding /root/.ssh/authorized_keys to the initrd.gz beside this script. The kernel
# unpacks concatenated archives in order, so the last key file added wins.
#
#   add_ssh_key.sh <authorized_keys>
#
# Only SSH public key lines ("ssh-ed25519 AAAA... comment"), blank lines and # comments are accepted.
# It needs room beside initrd.gz for a second one while it runs, and refuses before writing without it.
# Exit codes: 0 done, 2 bad usage, 3 refused (initrd.gz unchanged).
# POSIX sh (no cpio needed); the same archive as `s3flash initrd add-ssh-key`.
set -eu
LC_ALL=C
export LC_ALL
dir=$(cd "$(dirname "$0")" && pwd)
initrd=$dir/initrd.gz
me=add_ssh_key.sh

if [ $# -ne 1 ]; then
    echo "usage: $me <authorized_keys>" >&2
    exit 2
fi
keys=$1
refuse() {
    echo "$me: refused: $1; $initrd is unchanged" >&2
    exit 3
}
[ -f "$initrd" ] || refuse "$initrd is not a file (the initrd.gz to extend)"
[ -f "$keys" ] || refuse "$keys is not a file"
size=$(wc -c < "$keys" | tr -d ' ')
[ "$size" -le 65536 ] || refuse "$keys is larger than 65536 bytes"
# "--" before the file name: a name that starts with - is a file, never an option.
if [ "$size" -eq 0 ] || [ "$(tail -c 1 -- "$keys" | od -An -c | tr -d ' ')" != '\n' ]; then
    refuse "the authorized_keys file must end with a newline"
fi
[ "$(tr -d '\n\040-\176' < "$keys" | wc -c | tr -d ' ')" -eq 0 ] \
    || refuse "the authorized_keys file holds a control or non-ASCII byte: only SSH public key lines are accepted"
key='(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [ -~]*)?'
bad=$(grep -nEv -e "^\$|^#|^$key\$" -- "$keys" | head -n 1 | cut -d: -f1 || true)
[ -z "$bad" ] || refuse "line $bad of the authorized_keys file is not an SSH public key (expected 'ssh-ed25519 AAAA... comment'; key options are not accepted)"
grep -Eq -e "^$key\$" -- "$keys" || refuse "the authorized_keys file holds no SSH public key"

# The new initrd.gz is written beside the old one and then renamed over it, so that a crash never
# leaves a half-appended initrd: while this runs, the file system needs room for a second initrd.gz
# and the key's archive (192 KiB covers the largest key file twice, and the file system's own blocks).
need_kib=$(( ($(wc -c < "$initrd") + 1023) / 1024 + 192 ))
free_kib=$(df -Pk "$dir" | awk 'NR == 2 {print $4}')
[ "$free_kib" -ge "$need_kib" ] \
    || refuse "$dir has $free_kib KiB free, and adding a key writes a new initrd.gz beside the old one before it replaces it ($need_kib KiB): make $((need_kib - free_kib)) KiB more room and run it again"

tmp=$initrd.tmp
cpio=$initrd.cpio.tmp
trap 'rm -f "$tmp" "$cpio"' EXIT
written=0
zeros() {
    [ "$1" -gt 0 ] && dd if=/dev/zero bs=1 count="$1" 2>/dev/null
    written=$((written + $1))
}
# entry NAME MODE INO NLINK SIZE: one newc header, its name and padding (data follows from the caller).
entry() {
    namesize=$((${#1} + 1))
    printf '070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%s\000' \
        "$3" "$2" 0 0 "$4" 0 "$5" 0 0 0 0 "$namesize" 0 "$1"
    written=$((written + 110 + namesize))
    zeros $(((4 - written % 4) % 4))
}
{
    entry root $((0040700)) 1 2 0
    entry root/.ssh $((0040700)) 2 2 0
    entry root/.ssh/authorized_keys $((0100600)) 3 1 "$size"
    cat -- "$keys"
    written=$((written + size))
    zeros $(((4 - written % 4) % 4))
    entry 'TRAILER!!!' 0 0 1 0
    zeros $(((512 - written % 512) % 512))
} > "$cpio"
cp "$initrd" "$tmp"
gzip -9 -n -c < "$cpio" >> "$tmp"
mv -f "$tmp" "$initrd"
rm -f "$cpio"
trap - EXIT
echo "added $keys to $initrd as /root/.ssh/authorized_keys"
