#!/bin/sh
# Builds s3flash-<version>-linux-x86_64.tar.gz: the s3flash command for build hosts and CI runners
# that have no JDK 25 (Debian 12 ships 17): a jlink'ed Java 25 runtime, the CLI's jars, a startup
# cache (an AOT cache trained by release/aot-train.sh) and a launcher. Unpack anywhere and run
# bin/s3flash; nothing else is needed (no JAVA_HOME, no java on PATH).
#
#   release/cli-tarball.sh [--no-maven] [--output DIR]
#
# --no-maven uses the jars already in bootloader/target/lib. Output: DIR/s3flash-VERSION-linux-x86_64.tar.gz
# (default DIR: release/target). Needs JDK 25 (jlink, jdeps) on the build machine only; the training
# flash of the cache runs from S3Proxy on 127.0.0.1 when the testkit jar is built (see aot-train.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
out=$here/target
maven=yes
while [ $# -gt 0 ]; do
    case $1 in
        --no-maven) maven=no ;;
        --output) [ $# -ge 2 ] || { echo "usage: $0 [--no-maven] [--output DIR]" >&2; exit 2; }; out=$2; shift ;;
        *) echo "usage: $0 [--no-maven] [--output DIR]" >&2; exit 2 ;;
    esac
    shift
done
# shellcheck source-path=SCRIPTDIR source=env.sh
. "$here/env.sh"
log() { echo "cli-tarball: $*" >&2; }

if [ $maven = yes ]; then
    log "building the jars (./mvnw package)"
    (cd "$top" && ./mvnw -B -q -DskipTests -pl bootloader,testkit -am install)
fi
jar=$(find "$top/bootloader/target" -maxdepth 1 -name 's3flash-bootloader-*.jar' | head -n 1)
version=$(basename "$jar" .jar)
version=${version#s3flash-bootloader-}
name=s3flash-$version-linux-x86_64
mkdir -p "$out"
out=$(cd "$out" && pwd)
tree=$out/$name
rm -rf "$tree"
mkdir -p "$tree/bin" "$tree/lib"

cp "$top"/bootloader/target/lib/*.jar "$jar" "$tree/lib/"
# Native libraries for other systems (zstd-jni and lz4-java carry them for every OS and CPU).
for j in "$tree"/lib/*.jar; do
    other=$(unzip -Z1 "$j" | grep -E '\.(so|dll|dylib|jnilib)$' | grep -v -E '(^|/)linux/(amd64|x86_64)/' || true)
    [ -z "$other" ] || echo "$other" | zip -q -d "$j" -@
done

# The JDK modules the jars need, jar by jar (analysing them together as modules misses what automatic
# modules need), plus TLS with EC keys, the HTTP client and what the JNI codecs use.
# The JDK modules explicit modules require count too (commons-compress requires java.logging).
modules=$(for j in "$tree"/lib/*.jar; do
    "$JAVA_HOME/bin/jdeps" -s --multi-release 25 --ignore-missing-deps "$j" 2>/dev/null | awk '{print $3}' || true
    "$JAVA_HOME/bin/jar" --describe-module --file "$j" --release 25 2>/dev/null | awk '$1 == "requires" {print $NF}' || true
done | grep -E '^(java|jdk)\.' | sort -u | paste -sd, -)
modules=$(echo "$modules,jdk.crypto.ec,java.net.http,jdk.unsupported" | tr , "\n" | sort -u | paste -sd, -)
log "jlink: $modules"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
    --compress zip-6 --output "$tree/runtime" > "$out/jlink.log" 2>&1 || { cat "$out/jlink.log" >&2; exit 1; }
rm -f "$out/jlink.log"

# The launcher runs the CLI on the class path (providers are found through META-INF/services): JDK 25
# can move an AOT cache whose class path moved (it matches the paths' common prefix), but not one whose
# module path moved, and the tarball must start fast wherever it is unpacked.
flags="-Xmx256m -Dhttp.maxConnections=16 --enable-native-access=ALL-UNNAMED"
cat > "$tree/bin/s3flash" <<LAUNCHER
#!/bin/sh
# s3flash $version with its own Java runtime: unpack anywhere and run; no JDK needed.
# S3FLASH_JAVA_OPTS adds JVM flags (-Xmx...); S3FLASH_AOT=off runs without the startup cache.
set -eu
home=\$(dirname "\$(dirname "\$(readlink -f "\$0")")")
classpath=
for jar in "\$home"/lib/*.jar; do
    classpath=\${classpath:+\$classpath:}\$jar
done
aot=
if [ "\${S3FLASH_AOT:-on}" != off ] && [ -f "\$home/lib/s3flash.aot" ]; then
    aot="-XX:AOTCache=\$home/lib/s3flash.aot"
fi
# shellcheck disable=SC2086 # \$aot and S3FLASH_JAVA_OPTS hold flags
exec "\$home/runtime/bin/java" $flags \$aot \${S3FLASH_JAVA_OPTS:-} -cp "\$classpath" io.github.s3flash.bootloader.Main "\$@"
LAUNCHER
chmod 0755 "$tree/bin/s3flash"

# The startup cache, trained by aot-train.sh (a flash from S3Proxy) with the launcher's runtime, flags
# and class path. aot-train.sh takes a module-path command line; this stand-in java runs it on the class
# path, as the launcher does.
mkdir -p "$out/work"
cat > "$out/work/java" <<JAVA
#!/bin/sh
java=$tree/runtime/bin/java
JAVA
cat >> "$out/work/java" <<'JAVA'
# java [FLAGS] -p DIR -m MODULE/MAIN ARGS  ->  java [FLAGS] -cp DIR/*.jar MAIN ARGS, for aot-train.sh.
flags=
while [ $# -gt 0 ]; do
    case $1 in
        -p) dir=$2; shift 2 ;;
        -m) main=${2#*/}; shift 2; break ;;
        *) flags="$flags $1"; shift ;;
    esac
done
classpath=
for jar in "$dir"/*.jar; do
    classpath=${classpath:+$classpath:}$jar
done
# shellcheck disable=SC2086 # $flags holds flags
exec "$java" $flags -cp "$classpath" "$main" "$@"
JAVA
chmod 0755 "$out/work/java"
log "startup cache: training flash (aot-train.sh)"
# shellcheck disable=SC2086 # $flags holds several flags
"$here/aot-train.sh" "$tree/lib/s3flash.aot" -- "$out/work/java" $flags -p "$tree/lib" \
    -m io.github.s3flash.bootloader/io.github.s3flash.bootloader.Main >&2
rm -rf "$out/work"
S3FLASH_JAVA_OPTS=-XX:AOTMode=on "$tree/bin/s3flash" --version > /dev/null \
    || { log "the launcher cannot use the startup cache it was built with"; exit 1; }

cat > "$tree/README.md" <<README
# s3flash $version (Linux x86_64)

The \`s3flash\` command with its own Java 25 runtime: no JDK needed. Unpack anywhere and run
\`bin/s3flash\` (or put \`bin\` on PATH):

    tar -xzf $name.tar.gz
    $name/bin/s3flash image create --source disk.img --target s3://bucket/os.img.lz4 --sign-key ~/.ssh/id_ed25519
    $name/bin/s3flash flash --source s3://bucket/os.img.lz4 --target /dev/nvme1n1

\`s3flash --help\` lists the commands. \`S3FLASH_JAVA_OPTS\` adds JVM flags (the heap is capped at
256 MiB); \`S3FLASH_AOT=off\` runs without the startup cache (lib/s3flash.aot).
README

tarball=$out/$name.tar.gz
(cd "$out" && tar --sort=name --owner=0 --group=0 --numeric-owner -czf "$tarball" "$name")
log "$tarball: $(wc -c < "$tarball") bytes (runtime $(du -sh "$tree/runtime" | cut -f1), jars $(du -ch "$tree"/lib/*.jar | tail -n 1 | cut -f1), cache $(du -sh "$tree/lib/s3flash.aot" | cut -f1))"
echo "$tarball"
