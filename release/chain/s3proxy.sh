# shellcheck shell=sh disable=SC2154 # $top, $work, $s3proxy_version and JAVA_HOME come from the sourcing script
# S3Proxy for the release's QEMU tests (sourced by qemu-test.sh and boot-chain-test.sh; POSIX sh).
# The VMs reach it through a QEMU guestfwd and send no credentials, so it runs without
# authentication, on 127.0.0.1 only. Expects $top (the repository), $work (a scratch directory),
# $JAVA_HOME, $s3proxy_version (release/env.sh) and a fail function.

# s3proxy_find_jar: sets S3PROXY_JAR to S3Proxy's self-contained jar: S3PROXY_JAR when set, else one
# Maven copies into $work/s3proxy from whichever local repository it uses (MAVEN_ARGS may name another
# than ~/.m2), fetching it from Maven Central when it is missing; empty when there is none.
s3proxy_find_jar() {
    if [ -z "${S3PROXY_JAR:-}" ]; then
        S3PROXY_JAR=$work/s3proxy/s3proxy-$s3proxy_version-jar-with-dependencies.jar
        (cd "$top" && ./mvnw -B -q dependency:copy -Dartifact="org.gaul:s3proxy:$s3proxy_version:jar:jar-with-dependencies" \
            -DoutputDirectory="$work/s3proxy" >&2) || S3PROXY_JAR=
    fi
    [ -n "$S3PROXY_JAR" ] && [ -f "$S3PROXY_JAR" ] || S3PROXY_JAR=
}

# s3proxy_start DIR PORT: starts S3Proxy in the background on 127.0.0.1:PORT with its objects under
# DIR/s3data and its log in DIR/s3proxy.log, sets s3proxy_pid and s3proxy_port, and returns once the
# bucket "images" exists.
s3proxy_start() {
    s3proxy_port=$2
    mkdir -p "$1/s3data"
    cat > "$1/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$2
s3proxy.authorization=none
jclouds.provider=filesystem
jclouds.filesystem.basedir=$1/s3data
CONF
    "$JAVA_HOME/bin/java" -jar "$S3PROXY_JAR" --properties "$1/s3proxy.conf" > "$1/s3proxy.log" 2>&1 &
    s3proxy_pid=$!
    s3proxy_tries=0
    until s3proxy_aws mb s3://images >/dev/null 2>&1; do
        s3proxy_tries=$((s3proxy_tries + 1))
        [ $s3proxy_tries -lt 60 ] || fail "S3Proxy did not start: $(tail -5 "$1/s3proxy.log")"
        kill -0 "$s3proxy_pid" 2>/dev/null || fail "S3Proxy exited: $(tail -5 "$1/s3proxy.log")"
        sleep 1
    done
}

# s3proxy_aws ARGS...: Debian's aws CLI (s3 commands) against it.
s3proxy_aws() {
    AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x /usr/bin/aws --endpoint-url "http://127.0.0.1:$s3proxy_port" \
        --region us-east-1 s3 "$@"
}
