# shellcheck shell=sh disable=SC2034 # the variables are for the scripts that source this file
# Sourced by the scripts in release/ (after they set $here to release/): the one place that names the
# JDK that builds and runs s3flash, and that reads the versions the scripts need from the poms, so no
# script hard-codes a JDK path or a version.
#
#   JAVA_HOME        exported: $JAVA_HOME when it holds a JDK 25 or newer (java and jlink), else the
#                    JDK that .ci/run installs ($s3flash_default_jdk)
#   s3flash_top      the repository's top directory
#   s3flash_version  the project's version (pom.xml)
#   s3flash_jar      the bootloader's jar in bootloader/target
#   s3flash_lib      its runtime dependencies (the CLI's module path)
#   s3proxy_version  the S3Proxy the tests use (source-s3/pom.xml)

s3flash_default_jdk=/usr/lib/jvm/temurin-25-jdk-amd64
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/jlink" ] \
        || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -Eq 'version "(2[5-9]|[3-9][0-9])'; then
    JAVA_HOME=$s3flash_default_jdk
fi
export JAVA_HOME

s3flash_top=$(dirname "${here:?set here to release/ before sourcing env.sh}")
# pom_value FILE TAG: the text of the first <TAG> after the pom's first artifactId (in the top pom, which
# has no parent, that is the project's own version; a property comes later anyway).
pom_value() {
    awk -v tag="$2" -F'[<>]' '$2 == "artifactId" && !seen { seen = 1; next } seen && $2 == tag { print $3; exit }' "$1"
}
s3flash_version=$(pom_value "$s3flash_top/pom.xml" version)
s3flash_jar=$s3flash_top/bootloader/target/s3flash-bootloader-$s3flash_version.jar
s3flash_lib=$s3flash_top/bootloader/target/lib
s3proxy_version=$(pom_value "$s3flash_top/source-s3/pom.xml" s3proxy.version)
