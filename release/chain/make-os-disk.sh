#!/bin/bash
# Makes a bootable disk image for the boot-chain test: GPT with a BIOS boot partition, an EFI system
# partition and an ext4 root (and, with --layout bootpart, an ext4 /boot partition of its own), GRUB
# for both firmwares, and a tiny busybox OS whose /sbin/init says which OS booted and powers off.
#
#   make-os-disk.sh --os old|new --banner TEXT --layout root|bootpart --size MIB [--boot-size MIB]
#                   --kernel VMLINUZ --modules DIR --busybox PATH [--add SRC=DEST]... OUTPUT.img
#
# --modules DIR is a lib/modules tree for the kernel (the tiny OS loads virtio_pci and virtio_blk
# from it); --add copies a file into the root file system. Writes OUTPUT.img and OUTPUT.env (the
# partitions' offsets and file system UUIDs, for the test to look inside the disk afterwards).
#
# grub-install cannot be used here: this machine's kernel makes no partition nodes for loop devices.
# So every file system is made as a file (mkfs.ext4 -d, mkfs.vfat -C + mtools), the partition table
# with sgdisk, the file systems dd'ed to their partitions' offsets, and GRUB put in place the way
# grub-install would: grub-mkimage for both platforms, i386-pc's core.img embedded in the BIOS boot
# partition by grub-bios-setup (given a device map naming the image file), x86_64-efi's image as
# EFI/BOOT/BOOTX64.EFI (the removable-media path: no NVRAM entry needed), and both platforms'
# modules in /boot/grub, as Debian's cloud images have them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage() {
    sed -n '5,7p' "$0" | sed 's/^# *//' >&2
    exit 2
}
os='' banner='' layout='' size='' boot_size=128 kernel='' modules='' busybox='' adds=()
while [ $# -gt 1 ]; do
    case $1 in
        --os) os=$2 ;;
        --banner) banner=$2 ;;
        --layout) layout=$2 ;;
        --size) size=$2 ;;
        --boot-size) boot_size=$2 ;;
        --kernel) kernel=$2 ;;
        --modules) modules=$2 ;;
        --busybox) busybox=$2 ;;
        --add) adds+=("$2") ;;
        *) usage ;;
    esac
    shift 2
done
if [ $# -ne 1 ] || [ -z "$os" ] || [ -z "$banner" ] || [ -z "$size" ] || [ ! -f "$kernel" ] || [ ! -d "$modules" ] \
        || [ ! -x "$busybox" ]; then
    usage
fi
case $layout in root|bootpart) ;; *) usage ;; esac
out=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/chain-disk.XXXXXX")
trap 'rm -rf "$work"' EXIT
kver=$(ls "$modules")
[ "$(echo "$kver" | wc -l)" -eq 1 ] || { echo "make-os-disk: $modules must hold one kernel's modules" >&2; exit 1; }

# Partitions, in MiB: 1 MiB for the protective MBR and the GPT, then BIOS boot, ESP, [/boot], root,
# and 1 MiB at the end for the backup GPT.
bios_start=1 bios_size=1 esp_start=2 esp_size=16
next=$((esp_start + esp_size))
if [ "$layout" = bootpart ]; then
    boot_start=$next
    next=$((boot_start + boot_size))
fi
root_start=$next
root_size=$((size - root_start - 1))
[ "$root_size" -ge 16 ] || { echo "make-os-disk: $size MiB is too small" >&2; exit 1; }
root_uuid=$(cat /proc/sys/kernel/random/uuid)
boot_uuid=$(cat /proc/sys/kernel/random/uuid)

# The tiny OS's initrd: busybox, the virtio disk modules, /init (mount the root, switch_root).
initrd=$work/initrd
mkdir -p "$initrd"/{bin,dev,proc,sys,newroot,lib/modules}
cp "$busybox" "$initrd/bin/busybox"
for applet in sh mount umount modprobe findfs sleep cat switch_root poweroff echo; do
    ln -s busybox "$initrd/bin/$applet"
done
cp -a "$modules/$kver" "$initrd/lib/modules/"
cp "$here/os-init" "$initrd/init"
chmod 0755 "$initrd/init"
(cd "$initrd" && find . | sort | "$busybox" cpio -o -H newc -R 0:0 2>/dev/null | gzip -9n) > "$work/initrd.img"

# The root file system (and /boot): busybox with all its applets, /sbin/init, the kernel and initrd.
tree=$work/root
mkdir -p "$tree"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,boot/grub,mnt}
cp "$busybox" "$tree/bin/busybox"
for applet in $("$busybox" --list-full); do
    [ -e "$tree/$applet" ] || [ -L "$tree/$applet" ] || ln -s /bin/busybox "$tree/$applet"
done
rm -f "$tree/sbin/init"
cp "$here/os-rc" "$tree/sbin/init"
chmod 0755 "$tree/sbin/init"
printf 'CHAIN_OS=%s\nCHAIN_BANNER=%q\n' "$os" "$banner" > "$tree/etc/chain-os"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$tree/etc/passwd"
chmod 0700 "$tree/root"
cp "$kernel" "$tree/boot/vmlinuz-$kver"
cp "$work/initrd.img" "$tree/boot/initrd.img-$kver"
for add in "${adds[@]}"; do
    dest=$tree/${add#*=}
    mkdir -p "$(dirname "$dest")"
    cp "${add%%=*}" "$dest"
done
# Both GRUB platforms' modules, where the images' prefix points: normal mode loads what it needs.
for platform in i386-pc x86_64-efi; do
    mkdir -p "$tree/boot/grub/$platform"
    cp /usr/lib/grub/$platform/*.mod /usr/lib/grub/$platform/*.lst "$tree/boot/grub/$platform/"
done
# The old OS writes its file systems; the new OS mounts them read-only, so that the disk still equals
# the flashed image after it booted.
mount_opts=defaults
[ "$os" = new ] && mount_opts=ro
if [ "$layout" = bootpart ]; then
    in_boot=        # GRUB sees the /boot partition's root as /
    grub_fs_uuid=$boot_uuid
    printf 'UUID=%s / ext4 %s 0 1\nUUID=%s /boot ext4 %s 0 2\n' "$root_uuid" "$mount_opts" "$boot_uuid" \
        "$mount_opts" > "$tree/etc/fstab"
else
    in_boot=/boot
    grub_fs_uuid=$root_uuid
    printf 'UUID=%s / ext4 %s 0 1\n' "$root_uuid" "$mount_opts" > "$tree/etc/fstab"
fi
cat > "$tree/boot/grub/grub.cfg" <<CFG
# The $os OS's own GRUB menu (what the s3flash bootloader's configure_bootloader.sh replaces).
set default=0
set timeout=0
menuentry "$os OS" {
    linux $in_boot/vmlinuz-$kver root=UUID=$root_uuid console=ttyS0,115200n8 panic=10 quiet
    initrd $in_boot/initrd.img-$kver
}
CFG

# GRUB's first stage finds the file system holding /boot/grub by UUID, as grub-install makes it do.
# Under BIOS, GRUB's console is the VGA screen only: the serial port is added so the test sees GRUB.
cat > "$work/early-efi.cfg" <<CFG
search --no-floppy --fs-uuid --set=root $grub_fs_uuid
set prefix=(\$root)$in_boot/grub
CFG
{
    echo 'serial --unit=0 --speed=115200'
    echo 'terminal_input serial console'
    echo 'terminal_output serial console'
    cat "$work/early-efi.cfg"
} > "$work/early-bios.cfg"
mkdir -p "$work/bios"
grub-mkimage -O i386-pc -o "$work/bios/core.img" -c "$work/early-bios.cfg" -p /boot/grub \
    biosdisk part_gpt ext2 search search_fs_uuid serial terminal
cp /usr/lib/grub/i386-pc/boot.img "$work/bios/"
grub-mkimage -O x86_64-efi -o "$work/BOOTX64.EFI" -c "$work/early-efi.cfg" -p /boot/grub \
    part_gpt ext2 fat search search_fs_uuid

# File systems as files. With a /boot partition, the root file system's /boot is its mount point.
if [ "$layout" = bootpart ]; then
    mv "$tree/boot" "$work/boot"
    mkdir "$tree/boot"
    mkfs.ext4 -q -F -L boot -U "$boot_uuid" -d "$work/boot" "$work/boot.fs" "${boot_size}M" >/dev/null
fi
mkfs.ext4 -q -F -L root -U "$root_uuid" -d "$tree" "$work/root.fs" "${root_size}M" >/dev/null
mkfs.vfat -C -n ESP "$work/esp.fs" $((esp_size * 1024)) >/dev/null
mmd -i "$work/esp.fs" ::/EFI ::/EFI/BOOT
mcopy -i "$work/esp.fs" "$work/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI

# The partition table, the file systems at their offsets, GRUB's boot sector and core.img.
rm -f "$out"
truncate -s "${size}M" "$out"
mib=2048    # sectors
gpt=(-o -n "1:$((bios_start * mib)):+${bios_size}M" -t 1:EF02 -c 1:bios
    -n "2:$((esp_start * mib)):+${esp_size}M" -t 2:EF00 -c 2:esp)
n=3
if [ "$layout" = bootpart ]; then
    gpt+=(-n "3:$((boot_start * mib)):+${boot_size}M" -t 3:8300 -c 3:boot)
    n=4
fi
gpt+=(-n "$n:$((root_start * mib)):+${root_size}M" -t "$n:8304" -c "$n:root")
sgdisk "${gpt[@]}" "$out" >/dev/null
place() {
    dd if="$1" of="$out" bs=1M seek="$2" conv=notrunc,sparse status=none
}
place "$work/esp.fs" "$esp_start"
[ "$layout" = bootpart ] && place "$work/boot.fs" "$boot_start"
place "$work/root.fs" "$root_start"
# grub-bios-setup insists on finding a GRUB device for the directory holding boot.img and core.img
# (it guesses "the root device" from it) and knows only the devices its device map names: the
# directory is put on a scratch file system of its own, on a loop device named in the map.
truncate -s 4M "$work/scratch.fs"
mkfs.ext2 -q -F "$work/scratch.fs"
mkdir -p "$work/mnt"
loop=$(losetup --find --show "$work/scratch.fs")
trap 'umount "$work/mnt" 2>/dev/null || true; losetup -d "$loop" || true; rm -rf "$work"' EXIT
mount "$loop" "$work/mnt"
cp "$work/bios/boot.img" "$work/bios/core.img" "$work/mnt/"
printf '(hd0) %s\n(hd1) %s\n' "$(realpath "$out")" "$loop" > "$work/device.map"
/usr/lib/grub/i386-pc/grub-bios-setup --skip-fs-probe -d "$work/mnt" -m "$work/device.map" "$(realpath "$out")"
umount "$work/mnt"
sgdisk -v "$out" >/dev/null

{
    echo "layout=$layout"
    echo "root_uuid=$root_uuid"
    echo "root_offset=$((root_start * 1048576))"
    echo "root_size=$((root_size * 1048576))"
    if [ "$layout" = bootpart ]; then
        echo "boot_uuid=$boot_uuid"
        echo "boot_offset=$((boot_start * 1048576))"
        echo "boot_size=$((boot_size * 1048576))"
    fi
} > "$out.env"
