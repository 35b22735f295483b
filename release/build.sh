#!/bin/sh
# Builds the bootloader release, bootloader-x86_64.tar.gz, from Debian packages and the project's jars.
#
#   release/build.sh [--no-maven] [--output DIR] [--with gcs|PLUGIN-DIR]...
#
# Runs as root on Debian 12 (bookworm). Downloads nothing but Debian packages (apt-get) and, through
# Maven, the project's dependencies. --no-maven uses the jars already in bootloader/target/lib (and
# source-gcs/target/plugin). --with adds an optional provider to the initrd, as `s3flash plugins add`
# adds it to the CLI: gcs (gs:// images) or a plugin directory (the plugin's jar and the jars it needs).
# Output: DIR/bootloader-x86_64.tar.gz (default DIR: release/target), plus the unpacked files beside it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
out=$here/target
maven=yes
usage() { echo "usage: $0 [--no-maven] [--output DIR] [--with gcs|PLUGIN-DIR]..." >&2; exit 2; }
# The plugins to add, one a line (a directory may hold spaces); directories made absolute, as the
# build changes directory.
plugins=
projects=bootloader
nl='
'
while [ $# -gt 0 ]; do
    case $1 in
        --no-maven) maven=no ;;
        --output) [ $# -ge 2 ] || usage; out=$2; shift ;;
        --with)
            [ $# -ge 2 ] || usage
            plugin=$2
            if [ -d "$plugin" ]; then
                plugin=$(cd "$plugin" && pwd)
            elif [ "$plugin" = gcs ]; then
                projects=bootloader,source-gcs
            else
                echo "$0: --with $plugin: no such plugin directory, and the only optional provider built here is gcs" >&2
                exit 2
            fi
            plugins="$plugins$plugin$nl"
            shift ;;
        *) usage ;;
    esac
    shift
done
# shellcheck source-path=SCRIPTDIR source=env.sh
. "$here/env.sh"
log() { echo "build.sh: $*" >&2; }

# Host tools: depmod/modprobe (kmod), strip (binutils), zip/unzip and dpkg-deb; the rest is downloaded as .deb
# files below.
if ! command -v depmod >/dev/null 2>&1 || ! command -v strip >/dev/null 2>&1 \
        || ! command -v zip >/dev/null 2>&1 || ! command -v unzip >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kmod binutils zip unzip
fi

if [ $maven = yes ]; then
    log "building the jars (./mvnw package)"
    (cd "$top" && ./mvnw -B -q -DskipTests -pl "$projects" -am package)
fi
lib=$s3flash_lib
jar=$s3flash_jar
[ -f "$jar" ] || { log "$jar is missing: build it (./mvnw package) or leave out --no-maven"; exit 1; }

work=$out/work
# Mounts left under DIR (the AOT training bind-mounts /proc, /sys and /dev in the initrd tree; a build
# killed then may leave them) are unmounted: rm -rf must never reach the host's /dev, nor cpio /proc.
unmount_under() {
    awk -v d="$1/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
        umount "$m" || umount -l "$m" || true
    done
    if awk -v d="$1/" 'index($2, d) == 1 {found = 1} END {exit !found}' /proc/mounts; then
        log "still mounted under $1:"; awk -v d="$1/" 'index($2, d) == 1 {print $2}' /proc/mounts >&2
        exit 1
    fi
}
[ -d "$work" ] && unmount_under "$work"
rm -rf "$work"
mkdir -p "$work/debs" "$work/x" "$out"

# Debian packages: the cloud kernel, busybox, dropbear and the shared libraries Java and dropbear load.
kernel_pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
if [ -z "$kernel_pkg" ]; then
    apt-get update -qq
    kernel_pkg=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-/ {print $2; exit}')
fi
packages="$kernel_pkg busybox-static dropbear-bin libc6 zlib1g libcrypt1 libtomcrypt1 libtommath1 libgmp10"
log "downloading $packages"
download() {
    # shellcheck disable=SC2086 # a list of package names
    (cd "$work/debs" && apt-get download $packages > "$work/apt.log" 2>&1)
}
# Stale package lists name versions the mirror no longer has: refresh them once and retry.
download || { apt-get update -qq && download; } || { cat "$work/apt.log" >&2; exit 1; }
for deb in "$work"/debs/*.deb; do
    dpkg-deb -x "$deb" "$work/x"
done
kver=${kernel_pkg#linux-image-}

root=$work/root
mkdir -p "$root"
cd "$root"
mkdir -p bin sbin usr/bin usr/sbin etc/dropbear etc/s3flash lib64 lib/x86_64-linux-gnu proc sys dev run tmp \
    mnt root/.ssh opt/s3flash usr/share/udhcpc var/log
chmod 0700 root root/.ssh
chmod 1777 tmp

# Userland: one static busybox and its applets.
cp "$work/x/bin/busybox" bin/busybox
for applet in $(bin/busybox --list-full); do
    case $applet in bin/busybox|linuxrc) continue ;; esac
    [ -e "$applet" ] || ln -s /bin/busybox "$applet"
done
cp "$here/initrd/init" init
cp "$here/initrd/udhcpc.script" usr/share/udhcpc/default.script
chmod 0755 init usr/share/udhcpc/default.script
cp "$work/x/usr/sbin/dropbear" usr/sbin/dropbear
cp "$work/x/usr/bin/dropbearkey" usr/bin/dropbearkey
printf 'root:x:0:0:root:/root:/bin/sh\n' > etc/passwd
# '*': no password can ever match, so root logs in by SSH key only (and on the console through init).
printf 'root:*:19000:0:99999:7:::\n' > etc/shadow
chmod 0600 etc/shadow
printf 'root:x:0:\n' > etc/group
printf '/bin/sh\n' > etc/shells
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n' > etc/nsswitch.conf
printf '127.0.0.1 localhost\n::1 localhost\n' > etc/hosts
printf 's3flash\n' > etc/hostname

# Java: a jlink'ed runtime with only the JDK modules the jars need; the jars on the module path.
# Commons Compress (and what it needs) serves the release tools only, never the boot.
mkdir -p opt/s3flash/lib
for j in "$lib"/*.jar "$jar"; do
    case $(basename "$j") in commons-*) continue ;; esac
    cp "$j" opt/s3flash/lib/
done
# Optional providers, by the CLI's own installer, run on the initrd's module path: so a module the
# initrd has is not copied twice, and one it lacks (Commons Compress, left out above) is. Jars that
# split packages land in opt/s3flash/lib/classpath/MODULE/: the class path, which MODULE reads by
# itself (the launcher's comment says why not with --add-reads).
main=io.github.s3flash.bootloader/io.github.s3flash.bootloader.Main
plugin_modules=
old_ifs=$IFS; IFS=$nl
for plugin in $plugins; do
    IFS=$old_ifs
    log "adding the plugin $plugin"
    added=$(S3FLASH_HOME=$top "$JAVA_HOME/bin/java" -p opt/s3flash/lib -m "$main" plugins add --dir opt/s3flash/lib "$plugin") \
        || { log "cannot add the plugin $plugin (see above)"; exit 1; }
    echo "$added" >&2
    plugin_modules="$plugin_modules $(echo "$added" | sed -n 's/^plugin \([^ ]*\) .*/\1/p' | paste -sd' ' -)"
done
IFS=$old_ifs
classpath=
for j in opt/s3flash/lib/classpath/*/*.jar; do
    [ -f "$j" ] && classpath="$classpath${classpath:+:}/$j"
done
# Native libraries for other systems (zstd-jni and lz4-java carry them for every OS and CPU): 6 MB.
for j in opt/s3flash/lib/*.jar opt/s3flash/lib/classpath/*/*.jar; do
    [ -f "$j" ] || continue
    other=$(unzip -Z1 "$j" | grep -E '\.(so|dll|dylib|jnilib)$' | grep -v -E '(^|/)linux/(amd64|x86_64)/' || true)
    [ -z "$other" ] || echo "$other" | zip -q -d "$j" -@
done
# Per jar: analysing them together as modules misses what automatic modules need (the AWS SDK's java.xml).
jdk_modules=$(for j in opt/s3flash/lib/*.jar opt/s3flash/lib/classpath/*/*.jar; do
    [ -f "$j" ] || continue
    "$JAVA_HOME/bin/jdeps" -s --multi-release 25 --ignore-missing-deps "$j" 2>/dev/null || true
done | awk '$3 ~ /^(java|jdk)\./ {print $3}' | sort -u | paste -sd, -)
# jdk.crypto.ec: TLS with EC keys (S3 over HTTPS); java.net.http: the HTTP source.
jdk_modules=$(echo "$jdk_modules,jdk.crypto.ec,java.net.http,jdk.unsupported" | tr , "\n" | sort -u | paste -sd, -)
log "jlink: $jdk_modules"
# No --generate-cds-archive: the AOT cache below holds the JDK's classes too, and a JVM told to use an
# AOT cache never reads the default CDS archive (not even when the cache is refused).
"$JAVA_HOME/bin/jlink" --add-modules "$jdk_modules" --strip-debug --no-header-files --no-man-pages \
    --compress zip-6 --output opt/s3flash/runtime > "$work/jlink.log" 2>&1 \
    || { cat "$work/jlink.log" >&2; exit 1; }
# java.desktop (which Commons Compress requires, so a plugin that brings it) runs headless here: its
# X11 and sound libraries would need X and ALSA, which the in-memory OS has no use for.
rm -f opt/s3flash/runtime/lib/libawt_xawt.so opt/s3flash/runtime/lib/libjawt.so \
    opt/s3flash/runtime/lib/libsplashscreen.so opt/s3flash/runtime/lib/libjsound.so
# Symbol tables serve only debuggers and crash reports: 1.5 MB less in the initrd.
find opt/s3flash/runtime -name '*.so' -exec strip --strip-unneeded {} +
strip --strip-unneeded opt/s3flash/runtime/bin/java
# Every module on the module path may use native code (lz4-java, zstd-jni, the block device sink's FFM).
native=$("$JAVA_HOME/bin/java" --module-path opt/s3flash/lib --list-modules | awk '/ file:/ {sub(/@.*/, ""); print}' \
    | paste -sd, -)
# The flags of the flash service (/init); java.conf, written below, adds the AOT cache.
java_flags="-Xmx256m -XX:+UseSerialGC -XX:-UsePerfData --add-modules ALL-SYSTEM,ALL-MODULE-PATH --enable-native-access=$native${classpath:+ -cp $classpath}"

# Shared libraries of java, dropbear and friends, from the Debian packages above.
libpath=$work/x/lib/x86_64-linux-gnu:$work/x/usr/lib/x86_64-linux-gnu
for elf in opt/s3flash/runtime/bin/java $(find opt/s3flash/runtime/lib -name '*.so') usr/sbin/dropbear usr/bin/dropbearkey; do
    LD_LIBRARY_PATH=$libpath ldd "$elf" 2>/dev/null | awk '/=> \// {print $3}'
done | sort -u | while read -r so; do
    case $so in "$root"/*) continue ;; esac
    name=$(basename "$so")
    src=$work/x/lib/x86_64-linux-gnu/$name
    [ -e "$src" ] || src=$work/x/usr/lib/x86_64-linux-gnu/$name
    [ -e "$src" ] || { echo "build.sh: $name (needed by the initrd) is not in the downloaded packages" >&2; exit 1; }
    cp -L "$src" "lib/x86_64-linux-gnu/$name"
done
cp -L "$work/x/lib64/ld-linux-x86-64.so.2" lib64/ 2>/dev/null || cp -L "$work/x/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" lib64/

# The AOT cache (JDK 25: classes loaded and linked ahead of time, method profiles; JEPs 483, 514, 515),
# made by one training flash run chrooted in this tree with /init's java command (S3 through a
# loopback S3Proxy onto a loop device; see aot-train.sh). Under QEMU it halves the boot-to-first-byte.
# The JVM checks the jars' and the runtime's sizes and mtimes against the cache, and the initrd stores
# every file with mtime 0: so must the tree the cache is made from.
find opt/s3flash -exec touch -h -d @0 {} +
log "AOT cache: training flash chrooted in the initrd tree (aot-train.sh)"
# shellcheck disable=SC2086 # java_flags holds several flags
"$here/aot-train.sh" --root "$root" "$root/opt/s3flash/s3flash.aot" -- \
    /opt/s3flash/runtime/bin/java $java_flags -p /opt/s3flash/lib -m "$main" \
    || { log "the AOT training flash failed (see above): the staged runtime cannot flash"; exit 1; }
unmount_under "$root"
touch -h -d @0 opt/s3flash/s3flash.aot
# A cache the JVM cannot use (another JVM build, changed jars) is only a warning on the console
# ([error][aot] ... lines; AOTMode auto): the JVM then starts without it, slower.
# ArchiveRelocationMode=0 maps the cache at the address it was made for instead of a random one
# (JDK 25's default, 1): relocating its 38 MB pointer by pointer took 3 s of a QEMU TCG boot on an
# idle host and 9 s on a loaded one. If that address is taken, the JVM still relocates.
cat > etc/s3flash/java.conf <<CONF
# JVM flags for the flash service (sourced by /init).
java_flags="$java_flags -XX:AOTCache=/opt/s3flash/s3flash.aot -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0"
CONF
# The added plugins, as the flash service sees them: its runtime, flags and cache (which must fit them:
# AOTMode=on refuses to start otherwise), chrooted in the tree.
# The dynamic loader finds java's libraries through /proc/self/exe.
if [ -n "$plugin_modules" ]; then
    mount -t proc proc "$root/proc"
    # shellcheck disable=SC2086 # java_flags holds several flags
    providers=$(chroot "$root" /opt/s3flash/runtime/bin/java $java_flags -XX:AOTCache=/opt/s3flash/s3flash.aot -XX:AOTMode=on \
        -p /opt/s3flash/lib -m "$main" providers 2>&1) || true
    unmount_under "$root"
    echo "$providers" >&2
    for m in $plugin_modules; do
        echo "$providers" | grep -q " $m " || { log "the initrd's s3flash does not list the plugin $m"; exit 1; }
    done
fi

# Kernel modules: virtio (PCI, block, SCSI, net, rng), NVMe, ENA, SCSI disks, and Xen block/net and
# ixgbevf for older EC2 instance types, with what they depend on.
modules="virtio_pci virtio_blk virtio_scsi virtio_net virtio_rng sd_mod nvme ena xen_blkfront xen_netfront ixgbevf"
kx=$work/x
depmod -b "$kx" "$kver"
: > etc/s3flash/modules
for m in $modules; do
    modprobe -d "$kx" -S "$kver" --show-depends "$m" | while read -r kind path _; do
        if [ "$kind" = insmod ]; then
            rel=${path#"$kx"/}
            mkdir -p "$(dirname "$rel")"
            cp "$path" "$rel"
        fi
    done
    echo "$m" >> etc/s3flash/modules
done
cp "$kx/lib/modules/$kver/modules.builtin" "$kx/lib/modules/$kver/modules.order" "lib/modules/$kver/"
cp "$kx/lib/modules/$kver/modules.builtin.modinfo" "lib/modules/$kver/" 2>/dev/null || true
depmod -b "$root" "$kver"

# The release tree.
rel=$out/bootloader-x86_64
rm -rf "$rel"
mkdir -p "$rel/grub"
cp "$kx/boot/vmlinuz-$kver" "$rel/vmlinuz"
cp "$here/grub.cfg.in" "$rel/grub/grub.cfg.in"
cp "$here/configure_bootloader.sh" "$here/add_ssh_key.sh" "$here/add_trusted_key.sh" "$here/initrd-append.sh" "$rel/"
chmod 0755 "$rel/configure_bootloader.sh" "$rel/add_ssh_key.sh" "$rel/add_trusted_key.sh"
cp "$here/README.md" "$rel/README.md"
log "initrd: archiving $(du -sh "$root" | cut -f1) with s3flash initrd build"
"$JAVA_HOME/bin/java" -p "$lib:$jar" --add-modules org.apache.commons.compress \
    -m io.github.s3flash.bootloader/io.github.s3flash.bootloader.Main initrd build --root "$root" --output "$rel/initrd.gz" >&2
# The sizes of the files GRUB boots: configure_bootloader.sh refuses them cut short.
for f in vmlinuz initrd.gz; do
    echo "$(wc -c < "$rel/$f") $f"
done > "$rel/release.sizes"
# Files at the top of the tarball, so that `tar -xzf ... -C /boot` puts them where GRUB looks.
(cd "$rel" && tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -czf "$out/bootloader-x86_64.tar.gz" .)
log "$out/bootloader-x86_64.tar.gz: $(wc -c < "$out/bootloader-x86_64.tar.gz") bytes; initrd.gz $(wc -c < "$rel/initrd.gz") bytes; kernel $kver"
