#!/bin/sh
# Makes the s3flash bootloader flash only signed images: appends a gzip-compressed newc cpio archive
# holding /etc/s3flash/allowed_signers to the initrd.gz beside this script. Boot mode then flashes only
# indexed images signed by one of its keys (or pinned with s3flash.digest=); anything else is refused
# before the first write and the old boot restored. The kernel unpacks concatenated archives in
# order, so the last file added wins.
#
#   add_trusted_key.sh <allowed_signers>
#
# The file is an OpenSSH allowed_signers file ("ops@example.com ssh-ed25519 AAAA...", see
# ssh-keygen(1), ALLOWED SIGNERS); blank lines and # comments are accepted.
# Exit codes: 0 done, 2 bad usage, 3 refused (initrd.gz unchanged).
# POSIX sh (no cpio needed); the same archive as `s3flash initrd add-trusted-key`.
set -eu
LC_ALL=C
export LC_ALL
dir=$(cd "$(dirname "$0")" && pwd)
initrd=$dir/initrd.gz
me=add_trusted_key.sh

if [ $# -ne 1 ]; then
    echo "usage: $me <allowed_signers>" >&2
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
    refuse "the allowed_signers file must end with a newline"
fi
[ "$(tr -d '\n\040-\176' < "$keys" | wc -c | tr -d ' ')" -eq 0 ] \
    || refuse "the allowed_signers file holds a control or non-ASCII byte"
# principals, options (optional), key type, key, comment (optional)
line='[!-~]+ ([!-~]+ )?(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [ -~]*)?'
bad=$(grep -nEv -e "^\$|^#|^$line\$" -- "$keys" | head -n 1 | cut -d: -f1 || true)
[ -z "$bad" ] || refuse "line $bad of the allowed_signers file is not 'principals [options] key-type key [comment]'"
grep -Eq -e "^$line\$" -- "$keys" || refuse "the allowed_signers file holds no key"

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
    entry etc $((0040755)) 1 2 0
    entry etc/s3flash $((0040755)) 2 2 0
    entry etc/s3flash/allowed_signers $((0100644)) 3 1 "$size"
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
echo "added $keys to $initrd as /etc/s3flash/allowed_signers"
