#!/usr/bin/env bash
# A private nginx on 127.0.0.1 for benchmarks and tests: Debian's nginx with
# its own prefix, config, pid file, logs and temp folders, all in one folder,
# serving pdl-testd's /bytes/N and /delay/MS (echo module) on a free port,
# and, with --tls, the same over TLS + HTTP/2 on a second free port.
#
# Usage, as a command:
#   nginx.sh start DIR [--tls] [--workers N] [--sizes "64 16 67108864"]
#       DIR must not exist or be empty; prints NAME=VALUE lines (also in
#       DIR/env, which a shell can source): NGINX_PORT, NGINX_URL,
#       NGINX_TLS_PORT, NGINX_TLS_URL and NGINX_CERT (with --tls), NGINX_PID.
#   nginx.sh stop DIR      stops the master by its PID, waits for it, and
#                          removes DIR (only if it holds our nginx.conf)
# or sourced:  . tests/bench/nginx.sh; pdl_nginx_start DIR [...]  (exports
#   the variables above); pdl_nginx_stop DIR.  A caller's trap should call
#   stop: the master runs in the background (daemon on, pid file in DIR).
#   Sourcing it also sets -euo pipefail in the caller.
#
# Endpoints (bodies as pdl-testd's, so lists can point at either server):
#   /bytes/N   a static file of N bytes, the 63-character line
#              "0-9a-zA-Z\n" repeated and cut at N; only the sizes given to
#              --sizes exist (default 16 64 67108864), others are 404
#   /delay/MS  "delayed MS ms\n" after echo_sleep MS milliseconds
#   Query strings are ignored (lists make URLs distinct with ?i=N).
# Settings: keep-alive with keepalive_requests 1000000 and a 75 s timeout,
# access_log off, sendfile on, tcp_nodelay on (nginx's defaults for keep-
# alive), open_file_cache for the /bytes files, worker_connections 4096. worker_processes defaults to 1: on this
# 2-core machine the client under test needs the other core, and one nginx
# worker already serves ~100k small requests/s (wrk), above what any client
# here reaches; --workers 2 for a multi-core server.
set -euo pipefail

PDL_NGINX_BIN=${PDL_NGINX_BIN:-/usr/sbin/nginx}
PDL_NGINX_ECHO=${PDL_NGINX_ECHO:-/usr/lib/nginx/modules/ngx_http_echo_module.so}

# Prints two distinct free loopback ports (bound to port 0, then released;
# start retries if nginx loses the race for one of them).
pdl_nginx_free_ports() {
    python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])
for s in ss:
    s.close()'
}

# DIR/bytes/N: the pdl-testd pattern cut at N bytes.
pdl_nginx_make_body() { # DIR N
    local line='0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
    # yes(1) repeats the line fast enough for 64 MiB; head cuts it.
    yes "$line" | head -c "$2" >"$1/bytes/$2" || true
    [ "$(stat -c %s "$1/bytes/$2")" = "$2" ]
}

pdl_nginx_conf() { # DIR PORT TLS_PORT WORKERS
    local dir=$1 port=$2 tls_port=$3 workers=$4 user_line="" tls_server=""
    # As root, workers would switch to nobody, who cannot read DIR (0700).
    [ "$(id -u)" = 0 ] && user_line="user root root;"
    if [ "$tls_port" != 0 ]; then
        tls_server="
    server {
        listen 127.0.0.1:$tls_port ssl http2;
        ssl_certificate $dir/cert.pem;
        ssl_certificate_key $dir/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:tls:1m;
        http2_max_requests 1000000;
        include $dir/locations.conf;
    }"
    fi
    cat >"$dir/locations.conf" <<EOF
root $dir;
default_type text/plain;
location /bytes/ { }
location /delay/ {
    echo_sleep \$pdl_delay_s;
    echo "delayed \$pdl_delay_ms ms";
}
EOF
    cat >"$dir/nginx.conf" <<EOF
# Written by tests/bench/nginx.sh; everything lives in $dir.
$user_line
load_module $PDL_NGINX_ECHO;
worker_processes $workers;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
daemon on;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush off;
    tcp_nodelay on;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    server_tokens off;
    # Keeps the /bytes files open: 3 syscalls per small request (recvfrom,
    # writev, sendfile) instead of 6 (no openat, newfstatat, close).
    open_file_cache max=64 inactive=1h;
    open_file_cache_valid 1h;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    # /delay/MS: echo_sleep takes seconds, so MS is cut into seconds and
    # milliseconds by its number of digits.
    map \$uri \$pdl_delay_ms { "~^/delay/0*(?<v>[0-9]+)\$" \$v; default 0; }
    map \$pdl_delay_ms \$pdl_delay_s {
        "~^(?<d>[0-9])\$" 0.00\$d;
        "~^(?<d>[0-9]{2})\$" 0.0\$d;
        "~^(?<d>[0-9]{3})\$" 0.\$d;
        "~^(?<s>[0-9]+)(?<d>[0-9]{3})\$" \$s.\$d;
        default 0;
    }
    server {
        listen 127.0.0.1:$port backlog=4096;
        include $dir/locations.conf;
    }$tls_server
}
EOF
}

pdl_nginx_start() { # DIR [--tls] [--workers N] [--sizes "..."]
    local dir=$1 tls=0 workers=1 sizes="16 64 67108864" n ports port tls_port try pid=""
    shift
    while [ $# -gt 0 ]; do
        case $1 in
        --tls) tls=1 ;;
        --workers) workers=$2; shift ;;
        --sizes) sizes=$2; shift ;;
        *) echo "nginx.sh: unknown option $1" >&2; return 2 ;;
        esac
        shift
    done
    [ -x "$PDL_NGINX_BIN" ] || { echo "nginx.sh: no $PDL_NGINX_BIN (apt-get install nginx)" >&2; return 2; }
    [ -r "$PDL_NGINX_ECHO" ] || { echo "nginx.sh: no echo module (apt-get install libnginx-mod-http-echo)" >&2; return 2; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ -z "$(ls -A "$dir")" ] || { echo "nginx.sh: $dir is not empty" >&2; return 2; }
    mkdir -p "$dir/bytes" "$dir/tmp"
    for n in $sizes; do
        pdl_nginx_make_body "$dir" "$n" || { echo "nginx.sh: cannot write $dir/bytes/$n" >&2; return 1; }
    done
    if [ "$tls" = 1 ]; then
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
            -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
            -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>"$dir/openssl.log" ||
            { echo "nginx.sh: openssl req failed:" >&2; cat "$dir/openssl.log" >&2; return 1; }
    fi
    for try in 1 2 3 4 5; do
        ports=$(pdl_nginx_free_ports)
        port=${ports% *} tls_port=0
        [ "$tls" = 1 ] && tls_port=${ports#* }
        pdl_nginx_conf "$dir" "$port" "$tls_port" "$workers"
        : >"$dir/error.log"
        if "$PDL_NGINX_BIN" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" 2>>"$dir/error.log"; then
            pid=$(cat "$dir/nginx.pid")
            break
        fi
        grep -q 'Address already in use' "$dir/error.log" || break
    done
    if [ -z "$pid" ]; then
        echo "nginx.sh: nginx did not start (try $try):" >&2
        cat "$dir/error.log" >&2
        return 1
    fi
    {
        echo "NGINX_PID=$pid"
        echo "NGINX_PORT=$port"
        echo "NGINX_URL=http://127.0.0.1:$port"
        if [ "$tls" = 1 ]; then
            echo "NGINX_TLS_PORT=$tls_port"
            echo "NGINX_TLS_URL=https://127.0.0.1:$tls_port"
            echo "NGINX_CERT=$dir/cert.pem"
        fi
    } >"$dir/env"
    # shellcheck disable=SC1091
    . "$dir/env"
    export NGINX_PID NGINX_PORT NGINX_URL
    [ "$tls" = 1 ] && export NGINX_TLS_PORT NGINX_TLS_URL NGINX_CERT
    return 0
}

pdl_nginx_stop() { # DIR
    local dir=$1 pid
    [ -f "$dir/nginx.conf" ] || return 0
    if [ -s "$dir/nginx.pid" ]; then
        pid=$(cat "$dir/nginx.pid")
        # The master removes its pid file on exit and takes its workers along.
        if kill -TERM "$pid" 2>/dev/null; then
            for _ in $(seq 100); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.05
            done
            kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
        fi
    fi
    grep -q '^# Written by tests/bench/nginx.sh' "$dir/nginx.conf" && rm -rf "$dir"
    return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    case ${1:-} in
    start) [ $# -ge 2 ] || { echo "usage: nginx.sh start DIR [--tls] [--workers N] [--sizes LIST]" >&2; exit 2; }
        shift; pdl_nginx_start "$@"; cat "$1/env" ;;
    stop) [ $# -eq 2 ] || { echo "usage: nginx.sh stop DIR" >&2; exit 2; }
        pdl_nginx_stop "$2" ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
    esac
fi
