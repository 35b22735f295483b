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
here=$(cd "$(dirname "$0")" && pwd)
initrd=$here/initrd.gz
me=add_ssh_key.sh
# shellcheck source-path=SCRIPTDIR source=initrd-append.sh
. "$here/initrd-append.sh"

if [ $# -ne 1 ]; then
    echo "usage: $me <authorized_keys>" >&2
    exit 2
fi
keys=$1
initrd_check_file authorized_keys "only SSH public key lines are accepted"
key='(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [ -~]*)?'
bad=$(grep -nEv -e "^\$|^#|^$key\$" -- "$keys" | head -n 1 | cut -d: -f1 || true)
[ -z "$bad" ] || refuse "line $bad of the authorized_keys file is not an SSH public key (expected 'ssh-ed25519 AAAA... comment'; key options are not accepted)"
grep -Eq -e "^$key\$" -- "$keys" || refuse "the authorized_keys file holds no SSH public key"
initrd_check_room "a key"
initrd_append root .ssh authorized_keys $((0040700)) $((0100600))
