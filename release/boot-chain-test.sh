#!/bin/bash
# The whole boot chain, the way a server goes through it: QEMU boots an old OS from its own disk
# with real GRUB (SeaBIOS and OVMF), the old OS installs the s3flash bootloader exactly as
# release/README.md tells an operator and reboots, its GRUB boots the in-memory OS, which flashes
# the new OS's disk image over the disk GRUB came from (or restores /boot.bak), and the machine
# boots again, into whatever the disk now holds.
#
#   release/boot-chain-test.sh [--no-maven] [--no-build] [--jobs N] [--keep]
#                              [--firmware bios,uefi] [--layout root,bootpart] [--scenario 1,2,3,4]
#
# Each scenario on each layout starts from a fresh old-OS disk: it boots under SeaBIOS, the old OS
# installs the bootloader as the README says and reboots; QEMU stops at that reboot, and the disk
# as the install left it is powered on under each firmware (SeaBIOS, OVMF), a copy each. That
# machine then runs across all its reboots (one QEMU process; no -kernel):
#   1 flash      the new OS image (lz4, on S3Proxy; on the root layout an indexed image signed by a key
#                the install bakes into the initrd) is flashed; the machine boots "NEW OS booted
#                <version>" and the disk equals the published image; boot mode's JSON report of this
#                boot (s3flash.report=, on S3Proxy) says flashed
#   2 restore    the source never answers, s3flash.watchdog=10: /boot.bak is restored and the
#                machine boots "OLD OS booted" again; the report cannot be sent either, and the
#                console says so without holding up the restore for long
#   3 badoption  grub.cfg carries an option boot mode cannot use (a hand edit configure never saw):
#                boot mode must restore at once and the machine boot "OLD OS booted" again; the
#                report says restored, and why
#   4 powercut   QEMU is killed right after the first write and started again: what the machine
#                then boots is recorded (a measurement: it says what happened and does not fail)
# Layouts: root (/boot on the root file system) and bootpart (a /boot partition of its own).
# Default: scenarios 1-3 for both firmwares and both layouts, and scenario 4 for both firmwares on
# the root layout; naming any of --firmware, --layout, --scenario runs every combination of what
# is named (the rest: all). --jobs N runs N scenario-and-layout groups at once, so N machines
# (default: the number of CPUs, at least 2, at most 4). Prints, per run, the time from power-on to
# boot mode, to the first byte written, to the end of the flash or restore, and in all.
#
# Built only from Debian packages (grub-pc-bin, grub-efi-amd64-bin, grub2-common, ovmf, dosfstools,
# mtools, gdisk, qemu-system-x86, busybox-static, e2fsprogs, lz4, awscli, socat) and the release
# tarball (release/build.sh): its vmlinuz is the tiny OSes' kernel too, and their virtio drivers
# come from its initrd. S3Proxy (Maven Central, or S3PROXY_JAR) serves the new image on 127.0.0.1;
# the VM reaches it through QEMU user networking with restrict=on and a guestfwd (nothing leaves
# the machine). Software emulation (TCG): this machine's /dev/kvm does not run guests.
# Runs as root (a loop device for grub-bios-setup, loop devices to look inside disks afterwards).
# Serial consoles, each line stamped with the host's clock: release/target/chain/*.log.
set -eEuo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
build_args=
build=yes
keep=no
jobs=$(nproc)
[ "$jobs" -ge 2 ] || jobs=2
[ "$jobs" -le 4 ] || jobs=4
firmwares='' layouts='' scenarios=''
usage() { sed -n '8,9p' "$0" | sed 's/^# *//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --no-maven) build_args=--no-maven ;;
        --no-build) build=no ;;
        --keep) keep=yes ;;
        --jobs) jobs=${2:-}; shift ;;
        --firmware) firmwares=${2:-}; shift ;;
        --layout) layouts=${2:-}; shift ;;
        --scenario) scenarios=${2:-}; shift ;;
        *) usage ;;
    esac
    shift
done
case $jobs in [1-9]) ;; *) usage ;; esac
for f in ${firmwares//,/ }; do case $f in bios|uefi) ;; *) usage ;; esac; done
for l in ${layouts//,/ }; do case $l in root|bootpart) ;; *) usage ;; esac; done
for s in ${scenarios//,/ }; do case $s in 1|2|3|4) ;; *) usage ;; esac; done
# The longest scenarios first: the flash, then the power cut, the restore after the watchdog, and the
# restore at once.
runs=()
if [ -z "$firmwares$layouts$scenarios" ]; then
    for n in 1 4 2 3; do
        for layout in root bootpart; do
            [ "$n" = 4 ] && [ "$layout" = bootpart ] && continue
            for firmware in bios uefi; do runs+=("$n $firmware $layout"); done
        done
    done
else
    firmwares=${firmwares:-bios,uefi} layouts=${layouts:-root,bootpart} scenarios=${scenarios:-1,2,3,4}
    for n in 1 4 2 3; do
        case ",$scenarios," in *",$n,"*) ;; *) continue ;; esac
        for layout in ${layouts//,/ }; do
            for firmware in ${firmwares//,/ }; do runs+=("$n $firmware $layout"); done
        done
    done
fi
# The JDK (it runs S3Proxy) and the versions, from the one place that names them.
# shellcheck source-path=SCRIPTDIR source=env.sh
. "$here/env.sh"
log() { echo "boot-chain: $*" >&2; }
fail() { echo "boot-chain: FAIL: $*" >&2; exit 1; }

need=()
for tool in grub-mkimage:grub2-common /usr/lib/grub/i386-pc/boot.img:grub-pc-bin \
        /usr/lib/grub/x86_64-efi/linux.mod:grub-efi-amd64-bin /usr/share/OVMF/OVMF_CODE_4M.fd:ovmf \
        mkfs.vfat:dosfstools mcopy:mtools sgdisk:gdisk qemu-system-x86_64:qemu-system-x86 \
        /bin/busybox:busybox-static mkfs.ext4:e2fsprogs lz4:lz4 /usr/bin/aws:awscli socat:socat; do
    path=${tool%%:*}
    if [ "${path#/}" = "$path" ]; then command -v "$path" >/dev/null 2>&1 && continue; else [ -e "$path" ] && continue; fi
    need+=("${tool#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

[ $build = yes ] && "$here/build.sh" $build_args
tarball=$here/target/bootloader-x86_64.tar.gz
[ -f "$tarball" ] || fail "$tarball is missing: run release/build.sh"
logs=$here/target/chain
mkdir -p "$logs"
rm -f "$logs"/*.log

work=$(mktemp -d /tmp/s3flash-chain.XXXXXX)
s3proxy_pid=''
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ -n "$s3proxy_pid" ]; then kill "$s3proxy_pid" 2>/dev/null || true; fi
    if [ $keep = yes ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'echo "boot-chain: line $LINENO: \"$BASH_COMMAND\" failed" >&2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the parts: the release, the tiny OSes' kernel and drivers, S3Proxy, the new OS ---------------
release=$work/release
mkdir -p "$release" "$work/modules"
tar -xzf "$tarball" -C "$release"
(cd "$work/modules" && gzip -dc "$release/initrd.gz" | busybox cpio -i -d 'lib/modules/*' 2>/dev/null)
kernel=$release/vmlinuz
modules=$work/modules/lib/modules
[ -n "$(ls "$modules")" ] || fail "the release's initrd holds no kernel modules"

# shellcheck source-path=SCRIPTDIR source=chain/s3proxy.sh
. "$here/chain/s3proxy.sh"
s3proxy_find_jar
[ -n "$S3PROXY_JAR" ] || fail "no S3Proxy jar (S3PROXY_JAR, or org.gaul:s3proxy:$s3proxy_version from Maven Central)"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
s3proxy_start "$work" "$port"
s3proxy_aws mb s3://reports >/dev/null

# The new OS, one image per layout, published as an operator's image tooling would: lz4, on S3. The
# root layout's is also published as an indexed image signed by the release key (s3flash image create,
# the host's CLI), which scenario 1 flashes on that layout with the key baked into the initrd; the
# bootpart layout flashes the plain lz4 image.
ssh-keygen -q -t ed25519 -N '' -f "$work/release-key" -C boot-chain-release
echo "release@boot-chain $(cut -d' ' -f1,2 "$work/release-key.pub")" > "$work/allowed_signers"
version=v$(date -u +%Y%m%d%H%M%S)-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
for layout in $(printf '%s\n' "${runs[@]}" | cut -d' ' -f3 | sort -u); do
    img=$work/new-$layout.img
    "$here/chain/make-os-disk.sh" --os new --banner "NEW OS booted $version" --layout "$layout" --size 72 \
        --boot-size 32 --kernel "$kernel" --modules "$modules" --busybox /bin/busybox "$img"
    lz4 -q -f "$img" "$img.lz4"
    s3proxy_aws cp "$img.lz4" "s3://images/new-os-$layout.img.lz4" >/dev/null
    log "new OS ($layout): $(wc -c < "$img") bytes, $(wc -c < "$img.lz4") as lz4, sha256 $(sha256sum "$img" | cut -c1-16)..."
    if [ "$layout" = root ]; then
        AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_REGION=us-east-1 "$JAVA_HOME/bin/java" -Xmx256m \
            -p "$s3flash_lib:$s3flash_jar" -m io.github.s3flash.bootloader/io.github.s3flash.bootloader.Main \
            image create --source "$img" --target "s3://images/new-os-$layout.idx.lz4" --sign-key "$work/release-key" \
            --progress none -o "s3.endpoint=http://127.0.0.1:$port" >&2
        # What the flash will write must be this disk: checked here with the stock lz4 CLI, so that a
        # wrong image is named as such and not found later as a machine that does not boot.
        s3proxy_aws cp "s3://images/new-os-$layout.idx.lz4" "$work/new-$layout.idx.lz4" >/dev/null
        differs=$(lz4 -d -c -q "$work/new-$layout.idx.lz4" | cmp - "$img" 2>&1) \
            || fail "image create published s3://images/new-os-$layout.idx.lz4, which lz4 -d does not decode to $img: $differs"
        rm -f "$work/new-$layout.idx.lz4"
        log "new OS ($layout): published as a signed indexed image too (lz4 -d gives back the disk byte for byte)"
    fi
done
ssh-keygen -q -t ed25519 -N '' -f "$work/id" -C boot-chain-test

# --- the operator's install steps, from the release README --------------------------------------
# firstboot SCRIPT SOURCE ROOT-DEVICE SIGNED EDIT [s3flash.OPTION...]: the README's install block, run by
# the old OS's busybox sh as root from /root, where the tarball lies, with only its placeholders
# replaced: the image, the disk and the scenario's options. Its closing `reboot` is the old OS's own:
# busybox's reboot signals init (the tiny OS's /sbin/init), which syncs, unmounts and reboots, as a
# real init does. SIGNED=no leaves out the README's optional add_trusted_key.sh step (the scenario
# flashes a plain image). EDIT, when not empty, runs after the README's steps and before that reboot.
firstboot() {
    local script=$1 src=$2 dev=$3 signed=$4 edit=$5
    shift 5
    local block
    block=$(awk '/^## Install/ {f = 1} f && /^```sh/ {b = 1; next} b && /^```/ {exit} b' "$release/README.md")
    [ "$(tail -n 1 <<< "$block")" = reboot ] \
        || fail "the install block of release/README.md no longer ends with 'reboot': adapt firstboot()"
    for placeholder in 'my-bucket/images/server.img.lz4 /dev/nvme0n1' bootloader-x86_64.tar.gz add_trusted_key.sh; do
        grep -qF -- "$placeholder" <<< "$block" \
            || fail "the install block of release/README.md no longer holds '$placeholder': adapt firstboot()"
    done
    {
        echo '# The install steps of the release README (## Install), as the boot-chain test runs them.'
        echo 'set -eu'
        echo 'cd /root'
        # The optional step for signed images is taken only where the scenario flashes one.
        if [ "$signed" = yes ]; then
            sed -e '$d' -e "s|my-bucket/images/server.img.lz4 /dev/nvme0n1|$src $dev $*|" <<< "$block"
        else
            sed -e '$d' -e '/add_trusted_key\.sh/d' -e "s|my-bucket/images/server.img.lz4 /dev/nvme0n1|$src $dev $*|" <<< "$block"
        fi
        [ -z "$edit" ] || echo "$edit"
        echo 'echo "chain-install: done; rebooting into the s3flash bootloader"'
        tail -n 1 <<< "$block"
    } > "$script"
}

# said LOG TEXT: the console printed TEXT, even split across stamped lines (stamp writes a line still
# unfinished after a second as it stands, and a guest's console may pause mid-line: "O", "LD OS booted").
said() {
    sed 's/^[0-9]*\.[0-9]* //' "$1" | tr -d '\r\n' | grep -aqF -- "$2"
}

# --- running a machine ------------------------------------------------------------------------
# stamp: the serial console, each line prefixed with the host's clock (seconds since the epoch). A
# line still unfinished after a second (a prompt waiting for input) is written as it stands.
stamp() {
    local line rc
    while :; do
        rc=0
        IFS= read -r -t 1 line || rc=$?
        if [ $rc -eq 0 ]; then
            printf '%s %s\n' "$EPOCHREALTIME" "$line"
        elif [ $rc -gt 128 ]; then
            [ -z "$line" ] || printf '%s %s\n' "$EPOCHREALTIME" "$line"
        else
            [ -z "$line" ] || printf '%s %s\n' "$EPOCHREALTIME" "$line"
            return 0
        fi
    done
}
# boot_vm DISK VARS LOG FIRMWARE NETDEV [QEMU-ARG...]: starts QEMU on DISK in the background (the
# machine keeps rebooting until it powers off, is killed or times out), with the UEFI variables in
# VARS under OVMF, its serial console stamped into LOG.
qemu_pid='' stamper_pid=''
boot_vm() {
    local disk=$1 vars=$2 logfile=$3 firmware=$4 netdev=$5
    shift 5
    local fw=()
    if [ "$firmware" = uefi ]; then
        fw=(-drive "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd"
            -drive "if=pflash,format=raw,file=$vars")
    fi
    local pidfile=$disk.qemu.pid
    rm -f "$pidfile"
    : > "$logfile"
    timeout 900 qemu-system-x86_64 -machine q35,accel=tcg -cpu max -smp 2 -m 2048 -display none \
        -serial stdio -monitor none -pidfile "$pidfile" "${fw[@]}" \
        -drive "file=$disk,format=raw,if=virtio,cache=unsafe" \
        -netdev "$netdev" -device virtio-net-pci,netdev=n0,romfile= -device virtio-rng-pci "$@" \
        < /dev/null 2>&1 | stamp > "$logfile" &
    stamper_pid=$!
    local i=0
    until [ -s "$pidfile" ]; do
        i=$((i + 1)); [ $i -lt 100 ] || { cat "$logfile" >&2; fail "QEMU did not start"; }
        sleep 0.1
    done
    qemu_pid=$(cat "$pidfile")
}
vm_running() { [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; }
vm_wait() { wait "$stamper_pid" 2>/dev/null || true; stamper_pid='' qemu_pid=''; }
vm_kill() { if [ -n "$qemu_pid" ]; then kill -9 "$qemu_pid" 2>/dev/null || true; fi; vm_wait; }
# lines LOG PATTERN: the serial lines that match (an extended regular expression), without stamps.
lines() { { grep -aE -- "$2" "$1" || true; } | cut -d' ' -f2-; }
# count LOG PATTERN: how many serial lines match.
count() { grep -aEc -- "$2" "$1" || true; }
# at LOG PATTERN: the host time of the first line matching, or nothing.
at() { { grep -aE -- "$2" "$1" || true; } | head -n 1 | cut -d' ' -f1; }
# secs FROM TO: seconds between two host times, or - when one is missing.
secs() { if [ -n "$1" ] && [ -n "$2" ]; then awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b - a}'; else echo -; fi; }
# plain LOG: the serial console without stamps and terminal escapes.
plain() { cut -d' ' -f2- "$1" | sed 's/\x1b\[[0-9;=?]*[A-Za-z]//g; s/\r/\n/g' | { grep -av '^\s*$' || true; }; }
shown() { plain "$1" | tail -n "${2:-25}" | sed 's/^/    | /' >&2; }

# Boot mode's first line, whether it flashes or found its command line unusable.
boot_mode='s3flash: (boot mode:|the kernel command line cannot be used)'
# What /init says once per boot of the in-memory OS. Boot mode's line alone does not count boots: /init
# restarts a flash service that failed (a JVM's fatal error too) in the same boot, and it says so.
in_memory_boot='s3flash-init: starting the flash service'
service_restart='s3flash-init: the flash service failed \(exit [0-9]+\); restarting it'
# watch_vm LOG DEADLINE-SECONDS: follows a running machine until it powers off, and classifies what
# it booted. Sets $outcome: new (the new OS booted), old (the old OS booted), loop (the bootloader
# booted a second time), stayup (the in-memory OS stays up: no restore, nothing reboots it), dead (the
# firmware or GRUB stopped at a prompt), stuck (still running at the deadline), off (powered off
# otherwise).
watch_vm() {
    local logfile=$1 deadline=$2 started=$SECONDS stayup_at='' dead_at=''
    outcome=
    while vm_running; do
        if [ "$(count "$logfile" "$in_memory_boot")" -ge 2 ]; then outcome=loop; break; fi
        if [ $((SECONDS - started)) -ge "$deadline" ]; then outcome=stuck; break; fi
        # /init says when nothing will reboot the machine: a few seconds more, for what it prints, then stop.
        if [ -z "$stayup_at" ] && grep -aqE 's3flash-init: .*staying up for SSH' "$logfile"; then
            stayup_at=$SECONDS
        fi
        if [ -n "$stayup_at" ] && [ $((SECONDS - stayup_at)) -ge 5 ]; then outcome=stayup; break; fi
        # A prompt nobody answers on a server: GRUB's rescue shell, SeaBIOS with nothing to boot,
        # OVMF's shell. A few seconds more, for what it prints, then stop.
        if [ -z "$dead_at" ] && grep -aqE 'grub rescue>|No bootable device|Shell> ' "$logfile"; then
            dead_at=$SECONDS
        fi
        if [ -n "$dead_at" ] && [ $((SECONDS - dead_at)) -ge 5 ]; then outcome=dead; break; fi
        sleep 0.5
    done
    vm_running && vm_kill
    vm_wait
    if [ -z "$outcome" ]; then
        if said "$logfile" "NEW OS booted"; then outcome=new
        elif said "$logfile" 'OLD OS booted'; then outcome=old
        else outcome=off
        fi
    fi
}

# --- the scenarios --------------------------------------------------------------------------------
scenario_name() { case $1 in 1) echo flash ;; 2) echo restore ;; 3) echo badoption ;; 4) echo powercut ;; esac; }

# row DIR RESULT TO-BOOT-MODE TO-FIRST-BYTE TO-END TOTAL DETAIL: a run's line of the summary table.
row() {
    printf '%-8s %6s %6s %6s %6s  %s\n' "$2" "$3" "$4" "$5" "$6" "$7" > "$1/row"
}

# run_group N LAYOUT FIRMWARE...: scenario N on LAYOUT, in a subshell of its own (groups may go in
# parallel). First the install: a fresh old-OS disk boots under SeaBIOS, the old OS runs the README's
# install steps and reboots, and QEMU (-no-reboot) stops at that reboot. Then that disk, as the
# install left it, is powered on under each FIRMWARE in turn (a copy each; fresh UEFI variables), and
# the machine runs across all its reboots: the bootloader, and the new or the restored old OS.
run_group() {
    local n=$1 layout=$2
    shift 2
    local gid; gid=$n-$(scenario_name "$n")-$layout
    local dir=$work/$gid
    mkdir -p "$dir"
    loop=
    trap 'vm_kill; if [ -n "$loop" ]; then umount "$dir/mnt" 2>/dev/null || true; losetup -d "$loop" || true; fi' EXIT
    trap 'exit 143' TERM INT
    local endpoint=s3flash.endpoint=http://10.0.2.100:9000
    local netdev="user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:9000-cmd:socat - TCP:127.0.0.1:$port"
    # Boot mode's JSON reports land in the bucket "reports", one a boot (the firmwares' runs share the install).
    local report=s3flash.report=s3://reports/$gid/@boot_id@.json
    local opts=("$endpoint" s3flash.watchdog=600 s3flash.progress=5 "$report") edit=''
    case $n in
        2)  # Nothing behind the endpoint (no guestfwd; restrict=on lets nothing out): the source never answers.
            netdev="user,id=n0,restrict=on"
            opts=("$endpoint" s3flash.watchdog=10 "$report") ;;
        3)  # An operator's hand edit of grub.cfg after configure_bootloader.sh checked everything.
            edit="sed -i 's|^\\([[:space:]]*linux .*\\)\$|\\1 s3flash.watchdgo=20|' /boot/grub/grub.cfg" ;;
    esac
    local image=images/new-os-$layout.img.lz4 signed=no
    if [ "$n" = 1 ] && [ "$layout" = root ]; then
        # The release README's optional step for signed images: only images signed by the release key are flashed.
        image=images/new-os-$layout.idx.lz4 signed=yes
    fi
    firstboot "$dir/firstboot.sh" "$image" /dev/vda "$signed" "$edit" "${opts[@]}"
    cp "$work/id.pub" "$dir/authorized_keys"
    # A /boot partition of 160 MiB: the release takes 62 MB, the old /boot 24 MB, and add_ssh_key.sh
    # writes a new initrd.gz (48 MB) beside the old one before it renames it. The root file system
    # holds the tarball (59 MB), /boot.bak and, on the root layout, /boot.
    local size=288
    if [ "$layout" = bootpart ]; then size=400; fi
    "$here/chain/make-os-disk.sh" --os old --banner "OLD OS booted" --layout "$layout" --size "$size" --boot-size 160 \
        --kernel "$kernel" --modules "$modules" --busybox /bin/busybox \
        --add "$tarball=root/bootloader-x86_64.tar.gz" --add "$dir/firstboot.sh=root/firstboot.sh" \
        --add "$dir/authorized_keys=root/.ssh/authorized_keys" --add "$work/allowed_signers=root/allowed_signers" \
        "$dir/disk.img"
    local ilog=$logs/$gid-install.log
    log "$gid: the old OS installs the bootloader (SeaBIOS; /boot $([ "$layout" = root ] && echo on the root file system || echo on a partition of its own))"
    local t_start=$EPOCHREALTIME
    boot_vm "$dir/disk.img" - "$ilog" bios "user,id=n0,restrict=on" -no-reboot
    local i=0
    while vm_running && [ $i -lt 3000 ]; do sleep 0.1; i=$((i + 1)); done
    vm_kill
    local t_booted t_installed
    t_booted=$(at "$ilog" 'OLD OS booted')
    t_installed=$(at "$ilog" 'chain-install: done')
    if [ -z "$t_installed" ] || ! grep -aq 'reboot: Restarting system' "$ilog"; then
        local why; why="the install on the old OS did not finish: $(plain "$ilog" | grep -a -E 'refused|rror|failed|No space' | head -n 2 | paste -sd';')"
        log "$gid: FAIL: $why"
        shown "$ilog" 25
        for firmware in "$@"; do
            mkdir -p "$work/$n-$(scenario_name "$n")-$firmware-$layout"
            row "$work/$n-$(scenario_name "$n")-$firmware-$layout" FAIL - - - - "$why"
        done
        return
    fi
    printf '%-27s the old OS booted in %s s, the install took %s s\n' "$gid" "$(secs "$t_start" "$t_booted")" \
        "$(secs "$t_booted" "$t_installed")" | tee "$dir/install" | sed 's/^/boot-chain: installed /' >&2
    for firmware in "$@"; do
        run_machine "$n" "$firmware" "$layout" "$dir/disk.img" "$netdev"
    done
}

# run_machine N FIRMWARE LAYOUT INSTALLED-DISK NETDEV: powers on a copy of the installed disk under
# FIRMWARE and follows the machine until it powers off, then checks what scenario N expects.
run_machine() {
    local n=$1 firmware=$2 layout=$3 installed=$4 netdev=$5
    local id; id=$n-$(scenario_name "$n")-$firmware-$layout
    local dir=$work/$id
    mkdir -p "$dir"
    cp --sparse=always "$installed" "$dir/disk.img"
    cp "$installed.env" "$dir/disk.img.env"
    cp /usr/share/OVMF/OVMF_VARS_4M.fd "$dir/vars.fd"
    local logfile=$logs/$id.log
    log "$id: powering on the installed disk ($firmware)"
    local t_start=$EPOCHREALTIME
    boot_vm "$dir/disk.img" "$dir/vars.fd" "$logfile" "$firmware" "$netdev"
    if [ "$n" = 4 ]; then
        power_cut "$id" "$firmware" "$layout" "$dir" "$logfile" "$netdev" "$t_start"
        return
    fi
    watch_vm "$logfile" 420
    local t_end=$EPOCHREALTIME
    local t_boot t_first t_done result=FAIL detail
    t_boot=$(at "$logfile" "$boot_mode")
    t_first=$(at "$logfile" 's3flash: writing started')
    t_done=$(at "$logfile" 's3flash: (flashed|restored) ')
    local gid; gid=$n-$(scenario_name "$n")-$layout
    case $n in
        1) detail=$(check_flashed "$dir" "$logfile" "$layout") && detail="$detail; $(check_report "$gid" \
               '"outcome":"flashed","reason":null')" && result=PASS ;;
        3) detail=$(check_restored "$dir" "$logfile" "$layout") && detail="$detail; $(check_report "$gid" \
               '"outcome":"restored","reason":"the kernel command line cannot be used: ')" && result=PASS ;;
        2) detail=$(check_restored "$dir" "$logfile" "$layout") && detail="$detail; $(check_unsent "$logfile")" \
               && result=PASS ;;
        *) detail=$(check_restored "$dir" "$logfile" "$layout") && result=PASS ;;
    esac
    detail="$detail$(restarts "$logfile")"
    log "$id: $result: $detail"
    log "$id: power-on to boot mode $(secs "$t_start" "$t_boot") s, to the first byte written $(secs "$t_start" "$t_first") s, to the end of the flash or restore $(secs "$t_start" "$t_done") s, to the next OS's power-off $(secs "$t_start" "$t_end") s"
    [ $result = PASS ] || shown "$logfile" 25
    row "$dir" "$result" "$(secs "$t_start" "$t_boot")" "$(secs "$t_start" "$t_first")" "$(secs "$t_start" "$t_done")" \
        "$(secs "$t_start" "$t_end")" "$detail"
}

# check_flashed DIR LOG LAYOUT: the new OS booted, and the disk holds the published image.
check_flashed() {
    local dir=$1 logfile=$2 layout=$3 image=$work/new-$3.img
    if [ "$outcome" != new ] || ! said "$logfile" "NEW OS booted $version"; then
        echo "expected the new OS, got: $outcome$(why "$logfile")"
        return 1
    fi
    local bytes; bytes=$(wc -c < "$image")
    if ! head -c "$bytes" "$dir/disk.img" | cmp -s - "$image"; then
        echo "the new OS booted, but the disk differs from the image: $({ head -c "$bytes" "$dir/disk.img" | cmp - "$image" || true; } | cut -d: -f2-)"
        return 1
    fi
    if [ "$layout" = root ]; then
        # The signed indexed image: every chunk checked against the signed manifest, no whole-image hash.
        if ! grep -aq 's3flash: trust: signature: signed by ED25519' "$logfile"; then
            echo "the flash service did not say the image was trusted by its signature"
            return 1
        fi
        echo "NEW OS booted $version; the disk equals the signed indexed image ($bytes bytes)"
        return 0
    fi
    if ! grep -aq "sha256 $(sha256sum "$image" | cut -d' ' -f1)" "$logfile"; then
        echo "the flash service reported another SHA-256 than the image's"
        return 1
    fi
    echo "NEW OS booted $version; the disk equals the image ($bytes bytes)"
}

# check_report PREFIX TEXT: the report of this machine's boot (the one under s3://reports/PREFIX/ that no
# earlier machine of the group left) holds TEXT.
check_report() {
    local prefix=$1 text=$2 seen=$work/reports-seen key
    touch "$seen"
    key=$(s3proxy_aws ls "s3://reports/$prefix/" | awk '{print $4}' | grep -vxF -f "$seen" | head -n 1 || true)
    if [ -z "$key" ]; then
        echo "no report of this boot under s3://reports/$prefix/"
        return 1
    fi
    echo "$key" >> "$seen"
    if ! s3proxy_aws cp "s3://reports/$prefix/$key" - | grep -qF "$text"; then
        echo "the report s3://reports/$prefix/$key does not say $text: $(s3proxy_aws cp "s3://reports/$prefix/$key" - | cut -c1-200)"
        return 1
    fi
    echo "the report $prefix/$key says so"
}

# check_unsent LOG: with nothing behind the endpoint the report could not be sent; the console said so, or
# that the reboot would not wait for it any longer (connecting into the void takes the S3 client's own
# timeouts), and the restore went on regardless (check_restored saw the old OS boot).
check_unsent() {
    if ! grep -aEq 's3flash: (report \(restored\) not sent to s3://reports/|a report is still being sent after [0-9]+ s; not waiting for it)' "$1"; then
        echo "the console does not say that the report of the restore could not be sent"
        return 1
    fi
    echo "the report could not be sent (no network), and the restore went on"
}

# restarts LOG: nothing, or how often /init restarted the flash service in the same boot and why (the
# first JVM fatal error's frame), for the summary: a restart the flash survived is shown, never hidden.
restarts() {
    local n; n=$(count "$1" "$service_restart")
    [ "$n" -gt 0 ] || return 0
    local frame; frame=$(plain "$1" | grep -aA1 '^# Problematic frame:' | sed -n 2p | sed 's/^# //' | cut -c1-120)
    printf '; the flash service was restarted %s time(s) in the same boot (%s%s)' "$n" \
        "$(lines "$1" "$service_restart" | head -n 1 | sed 's/.*(exit \([0-9]*\)).*/exit \1/')" \
        "${frame:+, after a JVM fatal error in $frame}"
}

# why LOG: what the bootloader said about an unexpected outcome ($outcome), for the summary.
why() {
    case $outcome in
        loop) echo " (the bootloader booted again after: $(lines "$1" 's3flash: (restored /boot|rebooting into)' | head -n 2 | sed 's/.*s3flash: //' | paste -sd';'))" ;;
        stayup) echo " (the in-memory OS stays up: $(lines "$1" 's3flash: (cannot restore|restore failed|no restore)' | head -n 1 | sed 's/.*s3flash: //' | cut -c1-160))" ;;
        dead) echo " ($(describe_dead_boot "$1"))" ;;
    esac
}

# facts DIR KEY: what make-os-disk.sh wrote about the disk (partition offsets and sizes).
facts() { sed -n "s/^$2=//p" "$1/disk.img.env"; }

# check_restored DIR LOG LAYOUT: the old OS booted again, its /boot is back on its file system and
# /boot.bak is gone, and the file systems are clean.
check_restored() {
    local dir=$1 logfile=$2 layout=$3
    if [ "$outcome" != old ]; then
        echo "expected the old OS again, got: $outcome$(why "$logfile")"
        return 1
    fi
    local root_offset root_size boot_offset boot_size
    root_offset=$(facts "$dir" root_offset) root_size=$(facts "$dir" root_size)
    boot_offset=$(facts "$dir" boot_offset) boot_size=$(facts "$dir" boot_size)
    mkdir -p "$dir/mnt"
    local problem=
    loop=$(losetup --find --show --offset "$root_offset" --sizelimit "$root_size" "$dir/disk.img")
    if ! fsck.ext4 -n "$loop" > "$dir/fsck.out" 2>&1; then
        problem="the root file system is not clean: $(tail -n 2 "$dir/fsck.out" | paste -sd' ')"
    else
        mount -o ro "$loop" "$dir/mnt"
        [ ! -e "$dir/mnt/boot.bak" ] || problem="/boot.bak is still there"
        if [ "$layout" = root ] && ! grep -q '^menuentry "old OS"' "$dir/mnt/boot/grub/grub.cfg" 2>/dev/null; then
            problem="${problem:+$problem; }/boot/grub/grub.cfg is not the old OS's"
        fi
        umount "$dir/mnt"
    fi
    losetup -d "$loop"
    loop=
    if [ "$layout" = bootpart ]; then
        loop=$(losetup --find --show --offset "$boot_offset" --sizelimit "$boot_size" "$dir/disk.img")
        mount -o ro "$loop" "$dir/mnt"
        grep -q '^menuentry "old OS"' "$dir/mnt/grub/grub.cfg" 2>/dev/null \
            || problem="${problem:+$problem; }the /boot partition's grub/grub.cfg is not the old OS's"
        umount "$dir/mnt"
        losetup -d "$loop"
        loop=
    fi
    if [ -n "$problem" ]; then
        echo "the old OS booted, but $problem"
        return 1
    fi
    echo "OLD OS booted again: the old /boot is back, /boot.bak gone, the file systems clean"
}

# power_cut ID FIRMWARE LAYOUT DIR LOG NETDEV T-START: scenario 4. The machine boots the bootloader
# as in scenario 1; right after the first chunk is written (the first progress line follows that
# write) QEMU is killed, as a power cut stops a machine. Then the machine starts again from the same
# disk and firmware variables, and what it boots is recorded.
power_cut() {
    local id=$1 firmware=$2 layout=$3 dir=$4 logfile=$5 netdev=$6 t_start=$7
    while vm_running && ! grep -aq 's3flash: progress' "$logfile"; do sleep 0.1; done
    local t_cut=$EPOCHREALTIME
    vm_kill
    local t_boot t_first
    t_boot=$(at "$logfile" "$boot_mode")
    t_first=$(at "$logfile" 's3flash: writing started')
    if [ -z "$t_first" ]; then
        log "$id: FAIL: the flash never started writing"
        shown "$logfile" 25
        row "$dir" FAIL "$(secs "$t_start" "$t_boot")" - - "$(secs "$t_start" "$EPOCHREALTIME")" \
            "the flash never started writing"
        return
    fi
    local cut; cut=$(lines "$logfile" 's3flash: progress' | head -n 1 | sed 's/.*progress: //; s/, [0-9.]* MB\/s.*//')
    local state; state=$(written_chunks "$dir/disk.img" "$work/new-$layout.img")
    log "$id: power cut $(secs "$t_first" "$t_cut") s after writing started ($cut); $state"
    local logfile2=$logs/$id-after.log
    boot_vm "$dir/disk.img" "$dir/vars.fd" "$logfile2" "$firmware" "$netdev"
    watch_vm "$logfile2" 150
    local what
    case $outcome in
        new) what="the new OS booted" ;;
        old) what="the old OS booted" ;;
        loop) what="the s3flash bootloader booted, twice" ;;
        stuck) what="nothing booted in 150 s; $(describe_dead_boot "$logfile2")" ;;
        *) what=$(describe_dead_boot "$logfile2") ;;
    esac
    if [ "$outcome" != loop ] && grep -aqE "$boot_mode" "$logfile2"; then
        what="the s3flash bootloader booted again"
    fi
    log "$id: after the power cut: $what"
    shown "$logfile2" 6
    row "$dir" RECORDED "$(secs "$t_start" "$t_boot")" "$(secs "$t_start" "$t_first")" "$(secs "$t_start" "$t_cut")" \
        "$(secs "$t_start" "$EPOCHREALTIME")" "cut when $state; then: $what"
}

# written_chunks DISK IMAGE: how much of IMAGE the disk holds, in the flasher's 4 MiB chunks.
written_chunks() {
    /usr/bin/python3 - "$1" "$2" <<'PY'
import sys
chunk = 4 << 20
same, total, prefix, in_prefix = 0, 0, 0, True
with open(sys.argv[1], "rb") as disk, open(sys.argv[2], "rb") as image:
    while True:
        want = image.read(chunk)
        if not want:
            break
        total += 1
        if disk.read(len(want)) == want:
            same += 1
            prefix += in_prefix
        else:
            in_prefix = False
print(f"the disk held {same} of the image's {total} 4-MiB chunks (the first {prefix} in a row)")
PY
}

# describe_dead_boot LOG: what a machine that booted neither OS printed last (firmware, GRUB).
describe_dead_boot() {
    local text; text=$(plain "$1")
    if grep -q 'grub rescue>' <<< "$text"; then
        echo "GRUB stopped in its rescue shell: $({ grep -a '^error:' <<< "$text" || true; } | head -n 1)"
    elif grep -qi 'no bootable device' <<< "$text"; then
        echo "the firmware found no bootable disk ('No bootable device')"
    elif grep -q 'Shell>' <<< "$text"; then
        echo "the firmware found nothing to boot and started its UEFI shell"
    else
        echo "neither OS booted; last output: $(tail -n 2 <<< "$text" | paste -sd'|' | cut -c1-160)"
    fi
}

# --- all runs, N groups at a time ------------------------------------------------------------------
# A group is one scenario on one layout: one install, then a machine for each firmware.
groups=()
for spec in "${runs[@]}"; do
    # shellcheck disable=SC2086 # three words
    set -- $spec
    key="$1 $3"
    found=no
    for i in "${!groups[@]}"; do
        case ${groups[$i]} in "$key "*) groups[i]="${groups[$i]} $2"; found=yes ;; esac
    done
    [ $found = yes ] || groups+=("$key $2")
done
log "${#runs[@]} runs in ${#groups[@]} installs, $jobs at a time: $(printf '%s\n' "${runs[@]}" | tr ' ' - | paste -sd' ')"
started=$EPOCHREALTIME
running() {
    local n=0 pid
    for pid in "${pids[@]}"; do if kill -0 "$pid" 2>/dev/null; then n=$((n + 1)); fi; done
    echo "$n"
}
for group in "${groups[@]}"; do
    while [ "$(running)" -ge "$jobs" ]; do sleep 1; done
    # shellcheck disable=SC2086 # N, the layout and the firmwares
    run_group $group &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || true; done
finished=$EPOCHREALTIME

echo >&2
log "summary (QEMU TCG, $jobs machines at a time; seconds from powering on the installed disk to boot mode, to the"
log "first byte written, to the end of the flash (the power cut in 4) or restore, and to the next OS's power-off):"
printf '%-27s %-8s %6s %6s %6s %6s  %s\n' run result "boot" "byte" "end" total detail >&2
failures=0
for spec in "${runs[@]}"; do
    # shellcheck disable=SC2086 # three words
    set -- $spec
    id=$1-$(scenario_name "$1")-$2-$3
    if [ -f "$work/$id/row" ]; then
        printf '%-27s %s\n' "$id" "$(cat "$work/$id/row")" >&2
        grep -q '^FAIL' "$work/$id/row" && failures=$((failures + 1))
    else
        printf '%-27s %s\n' "$id" "FAIL     (the run ended without a result: see above)" >&2
        failures=$((failures + 1))
    fi
done
log "installs (the old OS's boot under SeaBIOS, then the README's steps):"
for group in "${groups[@]}"; do
    # shellcheck disable=SC2086 # N, the layout and the firmwares
    set -- $group
    cat "$work/$1-$(scenario_name "$1")-$2/install" >&2 2>/dev/null || true
done
log "all runs: $(secs "$started" "$finished") s"
[ "$failures" -eq 0 ] || fail "$failures of ${#runs[@]} runs failed; serial logs in $logs"
log PASS
