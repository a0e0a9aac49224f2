# ocx e2e test library: TAP output, command capture, bounded waits and a
# throw-away cluster. Source it from a test script:
#
#   . "$(dirname "$0")/lib.sh"
#   ocx_up || bail_out "cluster up failed"
#   run ocx get pods
#   is "$rc" 0 "get pods works"
#   like "$out" "No resources found" "empty namespace"
#   done_testing
#
# TAP
#   plan N                   print the plan up front (else done_testing / exit prints it)
#   ok NAME [CMD...]         pass; with CMD: pass iff CMD exits 0 (its output goes to diag on failure)
#   not_ok NAME [DIAG]       fail
#   is GOT WANT NAME         string equality          isnt GOT UNWANTED NAME
#   like GOT ERE NAME        grep -E match            unlike GOT ERE NAME
#   diag MSG...              "# MSG" comment lines
#   skip NAME REASON         "ok N - NAME # SKIP REASON"
#   skip_all REASON          "1..0 # SKIP REASON" and exit 0
#   bail_out MSG             "Bail out! MSG" and exit 1
#   done_testing             print "1..N" (called at exit when forgotten)
# Commands
#   run CMD...               runs CMD, sets $out, $err (trailing newlines stripped) and $rc; never fails
#   wait_for [-t SECS] CMD...  retries CMD every 50 ms until it succeeds; 1 after SECS (default 20)
#   at_exit CMD...           runs CMD (eval'd) at exit, newest first, before the cluster is torn down
#   ocx ARGS...              $OCX_BIN/ocx
# Cluster
#   free_port                prints a TCP port nothing listens on (20000-45000)
#   ocx_up [FLAGS...]        `ocx cluster up` in a fresh temporary base dir on a free port, with
#                            KUBECONFIG exported to a temporary file; sets OCX_BASE, OCX_PORT,
#                            OCX_SERVER, OCX_TMP, OCX_UP_SECONDS. Torn down (`down --clean`) at exit.
#
# $OCX_BIN is the directory holding ocx/ocxd (set by tools/test.sh; defaults to build/).

set -u

: "${OCX_BIN:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build}"
export OCX_BIN

_tap_n=0
_tap_failed=0
_tap_planned=
_tap_bailed=
_tap_cleanups=()
OCX_TMP=
OCX_BASE=
OCX_PORT=
OCX_SERVER=
OCX_UP_SECONDS=
out=
err=
rc=0

plan() {
        _tap_planned=$1
        echo "1..$1"
}

diag() {
        local line
        while IFS= read -r line; do echo "# $line"; done <<<"$*"
}

ok() {
        local name=$1
        shift
        if [ $# -gt 0 ]; then
                local o
                if o=$("$@" 2>&1); then
                        _tap_n=$((_tap_n + 1))
                        echo "ok $_tap_n - $name"
                        return 0
                fi
                not_ok "$name" "command failed: $*${o:+
$o}"
                return 1
        fi
        _tap_n=$((_tap_n + 1))
        echo "ok $_tap_n - $name"
}

not_ok() {
        _tap_n=$((_tap_n + 1))
        _tap_failed=$((_tap_failed + 1))
        echo "not ok $_tap_n - $1"
        # first frame outside this library
        local i caller=
        for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
                if [ "${BASH_SOURCE[i]}" != "${BASH_SOURCE[0]}" ]; then
                        caller="${BASH_SOURCE[i]}:${BASH_LINENO[i - 1]}"
                        break
                fi
        done
        [ -n "$caller" ] && diag "at $caller"
        [ $# -gt 1 ] && diag "$2"
        return 1
}

is() {
        if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3" "got:  '$1'
want: '$2'"; fi
}

isnt() {
        if [ "$1" != "$2" ]; then ok "$3"; else not_ok "$3" "got unwanted: '$1'"; fi
}

like() {
        if grep -Eq -- "$2" <<<"$1"; then ok "$3"; else not_ok "$3" "got:  '$1'
want match for: $2"; fi
}

unlike() {
        if ! grep -Eq -- "$2" <<<"$1"; then ok "$3"; else not_ok "$3" "got:  '$1'
want no match for: $2"; fi
}

skip() {
        _tap_n=$((_tap_n + 1))
        echo "ok $_tap_n - $1 # SKIP $2"
}

skip_all() {
        echo "1..0 # SKIP $*"
        _tap_planned=0
        exit 0
}

bail_out() {
        _tap_bailed=1
        echo "Bail out! $*"
        exit 1
}

done_testing() {
        if [ -z "$_tap_planned" ]; then
                _tap_planned=$_tap_n
                echo "1..$_tap_n"
        fi
}

run() {
        local o e
        o=$(mktemp "${TMPDIR:-/tmp}/ocx-e2e-out.XXXXXX")
        e=$(mktemp "${TMPDIR:-/tmp}/ocx-e2e-err.XXXXXX")
        rc=0
        "$@" >"$o" 2>"$e" || rc=$?
        out=$(cat "$o")
        err=$(cat "$e")
        rm -f "$o" "$e"
        return 0
}

wait_for() {
        local secs=20
        if [ "${1:-}" = "-t" ]; then
                secs=$2
                shift 2
        fi
        local deadline=$((SECONDS + secs))
        until "$@" >/dev/null 2>&1; do
                if [ "$SECONDS" -ge "$deadline" ]; then
                        diag "wait_for: '$*' did not succeed within ${secs}s"
                        return 1
                fi
                sleep 0.05
        done
}

at_exit() {
        _tap_cleanups+=("$*")
}

ocx() {
        "$OCX_BIN/ocx" "$@"
}

free_port() {
        local p i
        for i in $(seq 1 200); do
                p=$((20000 + RANDOM % 25000))
                if [ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]; then
                        echo "$p"
                        return 0
                fi
        done
        return 1
}

ocx_up() {
        [ -x "$OCX_BIN/ocx" ] || bail_out "no ocx binary in OCX_BIN='$OCX_BIN'"
        if [ -z "$OCX_TMP" ]; then
                OCX_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ocx-e2e.XXXXXX")
                chmod 0755 "$OCX_TMP"
        fi
        OCX_BASE=$OCX_TMP/base
        export KUBECONFIG=$OCX_TMP/kubeconfig
        local attempt t0 t1
        for attempt in 1 2 3; do
                OCX_PORT=$(free_port) || bail_out "no free port"
                OCX_SERVER=https://127.0.0.1:$OCX_PORT
                t0=$(date +%s.%N)
                run "$OCX_BIN/ocx" cluster up --base-dir "$OCX_BASE" --listen "127.0.0.1:$OCX_PORT" "$@"
                t1=$(date +%s.%N)
                OCX_UP_SECONDS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
                # lost a race for the port with another test: take another one
                if [ "$rc" -ne 0 ] && grep -q "already in use" <<<"$err"; then continue; fi
                break
        done
        export OCX_BASE OCX_PORT OCX_SERVER
        if [ "$rc" -ne 0 ]; then
                diag "ocx cluster up failed (exit $rc) in ${OCX_UP_SECONDS}s:"
                diag "$out"
                diag "$err"
                return 1
        fi
        diag "cluster up at $OCX_SERVER in ${OCX_UP_SECONDS}s (base $OCX_BASE)"
        return 0
}

_tap_exit() {
        local status=$?
        local i
        for ((i = ${#_tap_cleanups[@]} - 1; i >= 0; i--)); do
                eval "${_tap_cleanups[i]}" >/dev/null 2>&1 || true
        done
        if [ -n "$OCX_BASE" ] && [ -d "$OCX_BASE" ]; then
                # stop first, then read the daemons' logs: under `make asan` a sanitizer report
                # (including leaks, printed at exit) of ocxd or the router fails the test
                "$OCX_BIN/ocx" cluster down --base-dir "$OCX_BASE" >/dev/null 2>&1
                local rep
                rep=$(grep -lE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$OCX_BASE"/logs/*.log 2>/dev/null)
                if [ -n "$rep" ]; then
                        not_ok "daemons ran without sanitizer reports" "$(grep -hE -A12 "ERROR: |runtime error:" $rep | head -40)"
                fi
                # OCX_E2E_KEEP_LOGS=DIR keeps the daemons' logs for a post-mortem
                [ -n "${OCX_E2E_KEEP_LOGS:-}" ] && mkdir -p "$OCX_E2E_KEEP_LOGS" &&
                        cp -r "$OCX_BASE/logs" "$OCX_E2E_KEEP_LOGS/$(basename "$0" .sh)-$$" 2>/dev/null
                "$OCX_BIN/ocx" cluster down --clean --base-dir "$OCX_BASE" >/dev/null 2>&1 ||
                        echo "# warning: cluster down failed for $OCX_BASE"
        fi
        [ -n "$OCX_TMP" ] && rm -rf "$OCX_TMP"
        done_testing
        if [ "$_tap_failed" -gt 0 ]; then
                echo "# $_tap_failed of $_tap_n tests failed"
                exit 1
        fi
        if [ -n "$_tap_planned" ] && [ "$_tap_planned" -ne "$_tap_n" ]; then
                echo "# planned $_tap_planned tests but ran $_tap_n"
                exit 1
        fi
        [ -n "$_tap_bailed" ] && exit 1
        [ "$status" -ge 128 ] && exit "$status"
        exit 0
}
trap _tap_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
