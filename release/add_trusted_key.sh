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
here=$(cd "$(dirname "$0")" && pwd)
initrd=$here/initrd.gz
me=add_trusted_key.sh
# shellcheck source-path=SCRIPTDIR source=initrd-append.sh
. "$here/initrd-append.sh"

if [ $# -ne 1 ]; then
    echo "usage: $me <allowed_signers>" >&2
    exit 2
fi
keys=$1
initrd_check_file allowed_signers
# principals, options (optional), key type, key, comment (optional)
line='[!-~]+ ([!-~]+ )?(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [ -~]*)?'
bad=$(grep -nEv -e "^\$|^#|^$line\$" -- "$keys" | head -n 1 | cut -d: -f1 || true)
[ -z "$bad" ] || refuse "line $bad of the allowed_signers file is not 'principals [options] key-type key [comment]'"
grep -Eq -e "^$line\$" -- "$keys" || refuse "the allowed_signers file holds no key"

initrd_check_room "trusted keys"
initrd_append etc s3flash allowed_signers $((0040755)) $((0100644))
