# shellcheck shell=sh disable=SC2034,SC2154 # sourced by add_ssh_key.sh and add_trusted_key.sh, which set $me, $initrd and $keys
# What add_ssh_key.sh and add_trusted_key.sh share: the checks every key file passes, the room check,
# and the append itself, a gzip-compressed newc cpio archive holding one file, added to initrd.gz (the
# kernel unpacks concatenated archives in order, so the last file added wins). POSIX sh, no cpio.
# The sourcing script sets $me (its name), $initrd and $keys, and calls, in order:
#
#   initrd_check_file KIND [HINT]  the file: present, at most 64 KiB, ends with a newline, printable ASCII
#   (its own check of the lines)
#   initrd_check_room WHAT       room beside initrd.gz for a new one (it is written, then renamed over)
#   initrd_append DIR SUBDIR FILE DIR_MODE FILE_MODE   DIR/SUBDIR/FILE in the archive
#
# Each refusal exits 3 with "$me: refused: ...; $initrd is unchanged".

refuse() {
    echo "$me: refused: $1; $initrd is unchanged" >&2
    exit 3
}

initrd_check_file() {
    [ -f "$initrd" ] || refuse "$initrd is not a file (the initrd.gz to extend)"
    [ -f "$keys" ] || refuse "$keys is not a file"
    size=$(wc -c < "$keys" | tr -d ' ')
    [ "$size" -le 65536 ] || refuse "$keys is larger than 65536 bytes"
    # "--" before the file name: a name that starts with - is a file, never an option.
    if [ "$size" -eq 0 ] || [ "$(tail -c 1 -- "$keys" | od -An -c | tr -d ' ')" != '\n' ]; then
        refuse "the $1 file must end with a newline"
    fi
    [ "$(tr -d '\n\040-\176' < "$keys" | wc -c | tr -d ' ')" -eq 0 ] \
        || refuse "the $1 file holds a control or non-ASCII byte${2:+: $2}"
}

# The new initrd.gz is written beside the old one and then renamed over it, so that a crash never
# leaves a half-appended initrd: while this runs, the file system needs room for a second initrd.gz
# and the archive (192 KiB covers the largest key file twice, and the file system's own blocks).
initrd_check_room() {
    dir=$(dirname "$initrd")
    need_kib=$(( ($(wc -c < "$initrd") + 1023) / 1024 + 192 ))
    free_kib=$(df -Pk "$dir" | awk 'NR == 2 {print $4}')
    [ "$free_kib" -ge "$need_kib" ] \
        || refuse "$dir has $free_kib KiB free, and adding $1 writes a new initrd.gz beside the old one before it replaces it ($need_kib KiB): make $((need_kib - free_kib)) KiB more room and run it again"
}

initrd_append() {
    tmp=$initrd.tmp
    cpio=$initrd.cpio.tmp
    trap 'rm -f "$tmp" "$cpio"' EXIT
    written=0
    {
        initrd_entry "$1" "$4" 1 2 0
        initrd_entry "$1/$2" "$4" 2 2 0
        initrd_entry "$1/$2/$3" "$5" 3 1 "$size"
        cat -- "$keys"
        written=$((written + size))
        initrd_zeros $(((4 - written % 4) % 4))
        initrd_entry 'TRAILER!!!' 0 0 1 0
        initrd_zeros $(((512 - written % 512) % 512))
    } > "$cpio"
    cp "$initrd" "$tmp"
    gzip -9 -n -c < "$cpio" >> "$tmp"
    mv -f "$tmp" "$initrd"
    rm -f "$cpio"
    trap - EXIT
    echo "added $keys to $initrd as /$1/$2/$3"
}

initrd_zeros() {
    [ "$1" -gt 0 ] && dd if=/dev/zero bs=1 count="$1" 2>/dev/null
    written=$((written + $1))
}

# initrd_entry NAME MODE INO NLINK SIZE: one newc header, its name and padding (data follows from the caller).
initrd_entry() {
    namesize=$((${#1} + 1))
    printf '070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%s\000' \
        "$3" "$2" 0 0 "$4" 0 "$5" 0 0 0 0 "$namesize" 0 "$1"
    written=$((written + 110 + namesize))
    initrd_zeros $(((4 - written % 4) % 4))
}
