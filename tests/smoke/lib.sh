# Shared helpers for the smoke tests: a private work folder, the bundled test
# server on a free port, and assertions. Sourced by each test script; every
# process started here is ended by PID on exit.
set -eu

: "${PDL:?PDL must name the pdl binary}"
: "${PDL_TESTD:?PDL_TESTD must name the pdl-testd binary}"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pdl-smoke.XXXXXX")
SERVER_PID=

cleanup() {
    if declare -F cleanup_extra >/dev/null; then cleanup_extra; fi
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# The modes to try; PDL_MODES narrows them (e.g. for a ThreadSanitizer run).
MODES=${PDL_MODES:-serial threads processes async}

# True if mode $1 is among those to try.
want_mode() {
    case " $MODES " in *" $1 "*) return 0 ;; esac
    return 1
}

skip() {
    echo "SKIP: $*"
    exit 77
}

# Starts pdl-testd on a port the kernel picks; sets BASE.
start_server() {
    "$PDL_TESTD" --port 0 --port-file "$WORK/port" >"$WORK/testd.out" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
        [ -s "$WORK/port" ] && break
        kill -0 "$SERVER_PID" 2>/dev/null || fail "pdl-testd exited: $(cat "$WORK/testd.out")"
        sleep 0.05
    done
    [ -s "$WORK/port" ] || fail "pdl-testd did not report its port"
    BASE="http://127.0.0.1:$(cat "$WORK/port")"
}

# The body /bytes/N sends: a 63-byte line repeated, cut at N bytes.
expected_bytes() {
    yes 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ | head -c "$1"
}

# Rows of a timeline (no metadata, no column header), in id order (version 4 writes them as tasks settle).
rows() {
    awk -F'\t' '$1 ~ /^[0-9]+$/' "$1" | sort -t$'\t' -k1,1n -s
}

# Column NAME (found by the column header) of every row of a timeline, in
# id order.
column() {
    awk -F'\t' -v name="$2" '
        $1 == "id" { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
        c && $1 ~ /^[0-9]+$/ { print $1 "\t" $c }' "$1" |
        sort -t$'\t' -k1,1n -s | cut -f2-
}

# The most tasks in flight at one instant in a timeline. At equal times an
# end sorts before a start, so back-to-back tasks do not overlap.
max_overlap() {
    rows "$1" | awk -F'\t' '{ print $3, 1; print $4, -1 }' |
        sort -k1,1g -k2,2n | awk '{ c += $2; if (c > m) m = c } END { print m + 0 }'
}

# Field N of the timeline row for task id.
field() {
    rows "$1" | awk -F'\t' -v id="$2" -v f="$3" '$1 == id { print $f }'
}

expect_eq() {
    [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
}

# Asserts that the file $1 contains the fixed string $2.
expect_grep() {
    grep -qF -- "$2" "$1" || fail "$3: '$2' not in $1: $(head -c 2000 "$1")"
}
