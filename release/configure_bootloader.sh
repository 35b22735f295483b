#!/bin/sh
# Configures the s3flash bootloader unpacked beside this script (normally in /boot): writes
# grub/grub.cfg from grub/grub.cfg.in with the image to flash and the disk to flash it onto.
#
#   configure_bootloader.sh [--no-backup-check] <source> <root-device> [s3flash.<key>=<value> ...]
#
#   source       bucket/key (S3, as in the original) or a URI: s3://bucket/key, https://host/path, ...
#   root-device  /dev/nvme0n1, /dev/xvda, UUID=..., LABEL=..., PARTUUID=..., PARTLABEL=...
#   options      e.g. s3flash.watchdog=600 s3flash.endpoint=https://s3.example.com s3flash.sha256=...
#
# Every value is checked against the schema of boot options below, the one boot mode applies: an
# unknown key (a typo), a bad or empty value or a key given twice is refused here, on the old OS,
# rather than found by the in-memory OS after the reboot. Values may use only
# A-Z a-z 0-9 . _ ~ : / = + @ % , - : nothing can inject into grub.cfg or the kernel command line.
#
# It also checks that the backup of the old boot is where the in-memory OS's restore will look:
# boot.bak beside this directory, at the top of a file system on <root-device> (or one of its
# partitions), holding the old OS's grub/grub.cfg. When this directory is a file system of its own
# (a /boot partition), the restore copies /boot.bak onto it, so its UUID is recorded on the kernel
# command line as s3flash.bootfs=UUID=... . --no-backup-check skips this, for a release that is not
# installed in the /boot GRUB reads (a build host, a test).
#
# It refuses a release whose vmlinuz or initrd.gz is shorter than release.sizes says (cut short by a
# /boot that ran out of room while the release was unpacked): GRUB would boot it into a kernel panic.
#
# Exit codes: 0 done, 2 bad usage, 3 refused (grub.cfg unchanged).
# POSIX sh (busybox sh too); the same rules, steps and output as `s3flash grub configure`.
set -eu
LC_ALL=C
export LC_ALL
dir=$(cd "$(dirname "$0")" && pwd -P)
me=configure_bootloader.sh

backup_check=yes
if [ "${1:-}" = --no-backup-check ]; then
    backup_check=no
    shift
fi
if [ $# -lt 2 ]; then
    echo "usage: $me [--no-backup-check] <source> <root-device> [s3flash.<key>=<value> ...]" >&2
    exit 2
fi
refuse() {
    echo "$me: refused: $1; grub.cfg is unchanged" >&2
    exit 3
}
nl='
'

# The schema of boot options: KEY PATTERN EXPECTED, one rule a line. PATTERN is an extended regular
# expression the whole value must match; a KEY ending in * stands for every key that begins with the
# rest; s3flash.option.<plugin>.* stands for the options of a namespace no rule names (a plugin's).
# The Java schema (BootOptionSchema) renders this table, and a test holds the two equal.
schema() {
    cat <<'SCHEMA'
root /dev/[A-Za-z0-9_:+-][A-Za-z0-9._:+-]*(/[A-Za-z0-9_:+-][A-Za-z0-9._:+-]*)*|(UUID|LABEL|PARTUUID|PARTLABEL)=[A-Za-z0-9_:+-][A-Za-z0-9._:+-]* the disk to flash: /dev/<name> (no . or .. in the path), UUID=, LABEL=, PARTUUID= or PARTLABEL=
source [a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/([A-Za-z0-9._~:/=+@,-]|%[0-9A-Fa-f]{2})+|[a-z][a-z0-9+.-]*:(//([A-Za-z0-9._~:=+@,-]|%[0-9A-Fa-f]{2})+(/([A-Za-z0-9._~:/=+@,-]|%[0-9A-Fa-f]{2})*)?|///([A-Za-z0-9._~:/=+@,-]|%[0-9A-Fa-f]{2})*|/?([A-Za-z0-9._~:=+@,-]|%[0-9A-Fa-f]{2})([A-Za-z0-9._~:/=+@,-]|%[0-9A-Fa-f]{2})*) bucket/key (S3) or a URI such as s3://bucket/key or https://host/path, using only A-Za-z0-9._~:/=+@%,- (% only as %XX)
s3flash.codec [a-z0-9][a-z0-9_-]{0,31} a codec name (lz4, zstd, raw or a plugin's); default: detected
s3flash.sha256 [0-9a-fA-F]{64} the image's SHA-256: 64 hex digits
s3flash.digest [0-9a-fA-F]{64} the image digest of an indexed image (the SHA-256 of its manifest, as s3flash image inspect prints it): 64 hex digits; checked before the first write
s3flash.delta true|false|yes|no|on|off|1|0 true or false: fetch and write only the chunks of an indexed image the disk does not already hold (default true)
s3flash.watchdog [1-9][0-9]{0,8} seconds after the flash service first starts at which, if nothing was written, the old boot is restored (a whole number above zero; default 1000)
s3flash.endpoint https?://((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])|([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?[.])*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?)(:[0-9]{1,5})?(/([A-Za-z0-9._~:/=+@,-]|%[0-9A-Fa-f]{2})*)? the S3-compatible endpoint: an http or https URL such as https://s3.example.com:9000
s3flash.verify true|false|yes|no|on|off|1|0 true or false: read the written image back and compare
s3flash.zero write|zeroout|skip-if-zero|punch how zero ranges are written: write, zeroout, skip-if-zero or punch
s3flash.after reboot|poweroff|none reboot, poweroff or none after a flash
s3flash.progress [1-9][0-9]{0,8} seconds between progress lines (a whole number above zero)
s3flash.bootfs /dev/[A-Za-z0-9_:+-][A-Za-z0-9._:+-]*(/[A-Za-z0-9_:+-][A-Za-z0-9._:+-]*)*|(UUID|LABEL|PARTUUID|PARTLABEL)=[A-Za-z0-9_:+-][A-Za-z0-9._:+-]* the file system GRUB reads /boot from, when /boot is a partition of its own (configure_bootloader.sh records it): /dev/<name> (no . or .. in the path), UUID=, LABEL=, PARTUUID= or PARTLABEL=
s3flash.report (s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]|https?://((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])|([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?[.])*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?)(:[0-9]{1,5})?)/([A-Za-z0-9._~:/=+@,-]|%[0-9A-Fa-f]{2})+ where to send boot mode's JSON reports: s3://bucket/key or an http(s) URL (PUT); @hostname@, @mac@ and @boot_id@ name the machine
s3flash.option.source.provider [a-z0-9][a-z0-9_-]{0,31} the name of the source provider to use
s3flash.option.chunk-size (4|8|16|32|64|128|256|512)[kK]|[1-9][0-9]{0,2}[mM]|1[gG] a multiple of 4 KiB from 4k to 1g, such as 4m
s3flash.option.buffers [2-9]|[1-9][0-9]{1,2} chunks in flight, 2 to 999
s3flash.option.read.part-size [1-9][0-9]{0,9}|[1-9][0-9]{0,6}[kKmMgG] bytes per ranged read: a size above zero such as 8m, 512k or 1g
s3flash.option.read.concurrency [0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-6] ranged reads at once, 0 (the source's choice) to 256
s3flash.option.retry.attempts [1-9][0-9]{0,3} attempts of a read, 1 to 9999
s3flash.option.retry.base-delay [0-9]{1,6}(ms|s|m|h)? a duration such as 200ms, 20s or 5m
s3flash.option.retry.max-delay [0-9]{1,6}(ms|s|m|h)? a duration such as 200ms, 20s or 5m
s3flash.option.retry.give-up-after [1-9][0-9]{0,5}(ms|s|m|h)? how long a failing part is retried: a duration above zero such as 500ms, 30s or 2m
s3flash.option.verify true|false|yes|no|on|off|1|0 true or false
s3flash.option.delta true|false|yes|no|on|off|1|0 true or false
s3flash.option.decode.threads [0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-6] threads decoding an indexed image's chunks, 0 (one per processor) to 256
s3flash.option.zero write|zeroout|skip-if-zero|punch how zero ranges are written: write, zeroout, skip-if-zero or punch
s3flash.option.force true|false|yes|no|on|off|1|0 true or false: write the disk even if it is mounted or held
s3flash.option.skip-identical true|false|yes|no|on|off|1|0 true or false
s3flash.option.direct-io auto|on|off auto, on or off
s3flash.option.sync-every [1-9][0-9]{0,9}|[1-9][0-9]{0,6}[kKmMgG] a size above zero such as 8m, 512k or 1g
s3flash.option.s3.endpoint https?://((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])|([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?[.])*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?)(:[0-9]{1,5})?(/([A-Za-z0-9._~:/=+@,-]|%[0-9A-Fa-f]{2})*)? an http or https URL such as https://s3.example.com:9000
s3flash.option.s3.region [a-z0-9][a-z0-9-]{0,31} a region name such as eu-west-1
s3flash.option.s3.profile [A-Za-z0-9._-]{1,64} a profile name
s3flash.option.s3.path-style true|false|yes|no|on|off|1|0 true or false
s3flash.option.s3.connect-timeout [1-9][0-9]{0,5}(ms|s|m|h)? a duration above zero such as 500ms, 30s or 2m
s3flash.option.s3.read-timeout [1-9][0-9]{0,5}(ms|s|m|h)? a duration above zero such as 500ms, 30s or 2m
s3flash.option.s3.concurrency [1-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-6] 1 to 256
s3flash.option.http.version 1[.]1|2 1.1 or 2
s3flash.option.http.concurrency [1-9]|[1-5][0-9]|6[0-4] 1 to 64
s3flash.option.http.max-redirects [0-9]{1,3} 0 to 999
s3flash.option.http.range-reads true|false|yes|no|on|off|1|0 true or false
s3flash.option.http.connect-timeout [1-9][0-9]{0,5}(ms|s|m|h)? a duration above zero such as 500ms, 30s or 2m
s3flash.option.http.read-timeout [1-9][0-9]{0,5}(ms|s|m|h)? a duration above zero such as 500ms, 30s or 2m
s3flash.option.http.ca-bundle /([A-Za-z0-9._~:/=+@,-]|%[0-9A-Fa-f]{2})+ an absolute path in the in-memory OS
s3flash.option.http.header.* [A-Za-z0-9._~:/=+@%,-]+ a header value using only A-Za-z0-9._~:/=+@%,-
s3flash.option.gcs.endpoint https?://((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])|([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?[.])*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?)(:[0-9]{1,5})?(/([A-Za-z0-9._~:/=+@,-]|%[0-9A-Fa-f]{2})*)? an http or https URL such as https://s3.example.com:9000
s3flash.option.gcs.project [a-z0-9][a-z0-9-]{0,62} a project id
s3flash.option.gcs.credentials /([A-Za-z0-9._~:/=+@,-]|%[0-9A-Fa-f]{2})+ an absolute path in the in-memory OS
s3flash.option.gcs.anonymous true|false|yes|no|on|off|1|0 true or false
s3flash.option.gcs.concurrency [1-9]|[1-5][0-9]|6[0-4] 1 to 64
s3flash.option.<plugin>.* [A-Za-z0-9._~:/=+@%,-]+ a plugin's option: a value using only A-Za-z0-9._~:/=+@%,-
SCHEMA
}

# rule KEY: prints "PATTERN EXPECTED" for KEY, or "?" and a suggestion for an unknown key.
rule() {
    schema | key=$1 awk '
    function distance(a, b,    i, j, c, x, y, z) {
        split("", previous); split("", current)
        for (j = 0; j <= length(b); j++) previous[j] = j
        for (i = 1; i <= length(a); i++) {
            current[0] = i
            for (j = 1; j <= length(b); j++) {
                c = substr(a, i, 1) == substr(b, j, 1) ? 0 : 1
                x = current[j - 1] + 1; y = previous[j] + 1; z = previous[j - 1] + c
                current[j] = x < y ? (x < z ? x : z) : (y < z ? y : z)
            }
            for (j = 0; j <= length(b); j++) previous[j] = current[j]
        }
        return previous[length(b)]
    }
    function found(i) { print substr(line[i], length(keys[i]) + 2); exit }
    { keys[NR] = $1; line[NR] = $0 }
    END {
        key = ENVIRON["key"]; plugin = "s3flash.option.<plugin>.*"
        if (key == "root" || key == "source" || key ~ /^s3flash([.][a-z0-9_-]+)+$/) {
            for (i = 1; i <= NR; i++) if (keys[i] == key) found(i)
            for (i = 1; i <= NR; i++) {
                p = substr(keys[i], 1, length(keys[i]) - 1)
                if (keys[i] ~ /[*]$/ && keys[i] != plugin && length(key) > length(p) && substr(key, 1, length(p)) == p) found(i)
            }
            if (key ~ /^s3flash[.]option[.][a-z0-9_-]+[.][a-z0-9_-]/) {
                rest = substr(key, 16); ns = "s3flash.option." substr(rest, 1, index(rest, "."))
                known = 0
                for (i = 1; i <= NR; i++) if (substr(keys[i], 1, length(ns)) == ns) known = 1
                if (!known) for (i = 1; i <= NR; i++) if (keys[i] == plugin) found(i)
            }
        }
        best = ""; nearest = 3
        for (i = 1; i <= NR; i++) {
            if (keys[i] ~ /[*]$/) continue
            d = distance(key, keys[i])
            if (d < nearest) { nearest = d; best = keys[i] }
        }
        print "?" (best == "" ? "" : ", did you mean " best "?")
    }'
}
# check KEY VALUE: refuses unless the schema accepts KEY=VALUE.
check() {
    case $1$2 in *"$nl"*) refuse "$1= contains a newline" ;; esac
    r=$(rule "$1")
    case $r in "?"*) refuse "unknown option $1${r#?}" ;; esac
    pattern=${r%% *}
    expected=${r#* }
    [ -n "$2" ] || refuse "$1= is empty: expected $expected"
    [ ${#2} -le 512 ] || refuse "$1= is longer than 512 characters"
    printf '%s\n' "$2" | grep -Eq "^($pattern)\$" || refuse "refusing $1=$(shown "$1" "$2"): expected $expected"
}
# shown KEY VALUE: a refused value as messages show it (as s3flash grub configure does): a source
# without its user info and query, a header's value not at all; either may be a credential.
shown() {
    case $1 in
        source) printf '%s' "$2" | sed -e 's|^\([A-Za-z][A-Za-z0-9+.-]*:/*\)[^/?#]*@|\1…@|' -e 's|[?#].*|?…|' ;;
        s3flash.option.http.header.*) printf '(not shown: it may be a credential)' ;;
        *) printf '%s' "$2" ;;
    esac
}

src=$1
root=$2
shift 2
check source "$src"
check root "$root"
args="root=$root source=$src"
seen=" "
bootfs=
for option in "$@"; do
    case $option in
        *"$nl"*) refuse "option contains a newline" ;;
        *=*) ;;
        *) refuse "refusing option '$option': expected s3flash.<key>=<value>" ;;
    esac
    key=${option%%=*}
    check "$key" "${option#*=}"
    case $seen in *" $key "*) refuse "$key= is given more than once; give it once" ;; esac
    seen="$seen$key "
    [ "$key" = s3flash.bootfs ] && bootfs=${option#*=}
    args="$args $option"
done

# device MAJOR MINOR WHAT: sets $name (vda2) and $disk (vda; the name itself for a whole disk) from sysfs.
device() {
    sys=/sys/dev/block/$1:$2
    [ -e "$sys" ] || refuse "$3 is not on a block device (device $1:$2): put it on a partition"
    real=$(readlink -f "$sys")
    name=${real##*/}
    disk=$name
    [ -e "$real/partition" ] && disk=$(basename "$(dirname "$real")")
    return 0
}
# device_of_file PATH WHAT: the device of the file system that holds PATH (its st_dev, as Linux encodes it).
device_of_file() {
    n=$(stat -c %d "$1")
    device $(( ((n >> 8) & 4095) | ((n >> 32) & ~4095) )) $(( (n & 255) | ((n >> 12) & ~255) )) "$2"
}
# device_named SPEC: the block device a /dev path, UUID=, LABEL=, ... names here (findfs); 1 if none.
device_named() {
    spec=$1
    case $spec in
        /*) node=$spec ;;
        *) node=$(findfs "$spec" 2>/dev/null) || return 1 ;;
    esac
    [ -b "$node" ] || return 1
    # shellcheck disable=SC2046 # stat prints the major and minor number, in hex
    set -- $(stat -L -c '%t %T' "$node")
    device $((0x$1)) $((0x$2)) "$spec"
}
# uuid_of DEVICE: blkid's answer where blkid is installed, else read from an ext2/3/4 or XFS superblock.
uuid_of() {
    if command -v blkid >/dev/null 2>&1; then
        blkid -s UUID -o value "$1" 2>/dev/null | head -n 1
        return 0
    fi
    if [ "$(dd if="$1" bs=1 skip=1080 count=2 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 53ef ]; then
        at=1128
    elif [ "$(dd if="$1" bs=1 count=4 2>/dev/null)" = XFSB ]; then
        at=32
    else
        return 0
    fi
    dd if="$1" bs=1 skip=$at count=16 2>/dev/null | od -An -tx1 | tr -d ' \n' \
        | sed 's/^\(........\)\(....\)\(....\)\(....\)/\1-\2-\3-\4-/'
}
dev_number() {
    stat -c %d "$1"
}

if [ $backup_check = yes ]; then
    parent=$(dirname "$dir")
    [ "$dir" != / ] || refuse "the release is unpacked at /: unpack it into /boot"
    separate=no
    [ "$(dev_number "$dir")" = "$(dev_number "$parent")" ] || separate=yes
    if [ $separate = no ] && [ "${dir##*/}" != boot ]; then
        refuse "$dir is not /boot: the restore puts ${parent%/}/boot.bak back as ${parent%/}/boot, so unpack the release into the /boot that GRUB reads"
    fi
    if [ "$parent" != / ] && [ "$(dev_number "$(dirname "$parent")")" = "$(dev_number "$parent")" ]; then
        refuse "$parent is not the top of a file system: the restore looks for boot.bak at the top of the file system that holds ${dir##*/}"
    fi
    backup=${parent%/}/boot.bak
    if [ ! -d "$backup" ] || [ -L "$backup" ]; then
        refuse "there is no $backup: make the backup the restore puts back first (cp -a $dir $backup, before unpacking the release)"
    fi
    [ "$(dev_number "$backup")" = "$(dev_number "$parent")" ] \
        || refuse "$backup is a file system of its own: the restore looks for it on the file system of $parent"
    [ -f "$backup/grub/grub.cfg" ] \
        || refuse "$backup holds no grub/grub.cfg: it is not a copy of a /boot that GRUB boots from (GRUB 2 reading grub/grub.cfg is supported)"
    ! grep -q 's3flash: flash a new disk image' "$backup/grub/grub.cfg" \
        || refuse "$backup/grub/grub.cfg is the bootloader's own grub.cfg: the backup was made after the bootloader was configured, and restoring it would boot the bootloader again; put the old OS's grub.cfg back into it"
    device_named "$root" \
        || refuse "root=$root is not a block device on this system: the restore looks for $backup on root= and its partitions, so root= must name the disk that holds it"
    root_name=$name
    device_of_file "$parent" "the file system that holds $backup"
    [ "$name" = "$root_name" ] || [ "$disk" = "$root_name" ] \
        || refuse "$backup is on /dev/$name, which is neither root=$root (/dev/$root_name) nor one of its partitions: the restore would not find it"
    if [ $separate = no ]; then
        [ -z "$bootfs" ] || refuse "s3flash.bootfs= is given but $dir is not a file system of its own"
    else
        device_of_file "$dir" "the file system mounted at $dir"
        boot_name=$name
        if [ -n "$bootfs" ]; then
            { device_named "$bootfs" && [ "$name" = "$boot_name" ]; } \
                || refuse "s3flash.bootfs=$bootfs does not name /dev/$boot_name, the file system mounted at $dir"
        else
            uuid=$(uuid_of "/dev/$boot_name")
            [ -n "$uuid" ] || refuse "cannot tell the UUID of /dev/$boot_name (mounted at $dir): give it as s3flash.bootfs=UUID=..."
            check s3flash.bootfs "UUID=$uuid"
            args="$args s3flash.bootfs=UUID=$uuid"
        fi
    fi
fi

# The files GRUB will boot must be whole. Unpacking the release into a /boot without room enough
# leaves them cut short, and a cut-short kernel or initrd ends in a kernel panic: no flash, no restore.
# release.sizes, written by build.sh, holds "<bytes> <file>" lines; add_ssh_key.sh only appends to
# initrd.gz, so each file must be at least that long.
free_kib=$(df -Pk "$dir" | awk 'NR == 2 {print $4}')
sizes=$dir/release.sizes
[ -f "$sizes" ] || refuse "$sizes is missing: the release in $dir is incomplete ($dir has $free_kib KiB free); unpack it again"
while read -r want file; do
    case $want in ''|*[!0-9]*) refuse "$sizes is damaged: unpack the release again" ;; esac
    case $file in ''|*[!A-Za-z0-9._-]*) refuse "$sizes is damaged: unpack the release again" ;; esac
    have=0
    [ ! -f "$dir/$file" ] || have=$(wc -c < "$dir/$file" | tr -d ' ')
    [ "$have" -ge "$want" ] || refuse "$dir/$file is $have bytes, but the release's is $want: it was cut short, most likely because $dir ran out of room while the release was unpacked ($dir has $free_kib KiB free): make room and unpack the release again"
done < "$sizes"
# A full file system can cut release.sizes itself short, down to nothing: it must list both.
for file in vmlinuz initrd.gz; do
    grep -q " $file\$" "$sizes" || refuse "$sizes does not list $file: it was cut short, most likely because $dir ran out of room while the release was unpacked ($dir has $free_kib KiB free): make room and unpack the release again"
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
echo "configured $dir/grub/grub.cfg: $args"
