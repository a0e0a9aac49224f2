#!/usr/bin/env bash
# kill -9 of ocxd in the middle of a write load loses no acknowledged write;
# a restarted ocxd serves the same objects and revisions and resumes watches.
. "$(dirname "$0")/lib.sh"
ocx_up || bail_out "ocx cluster up failed"
W=$OCX_TMP/work
mkdir -p "$W"
P=$OCX_BASE/pki
CURL=(curl -s --cacert "$P/ca.crt" --cert "$P/admin.crt" --key "$P/admin.key")
CM=$OCX_SERVER/api/v1/namespaces/default/configmaps

start_rv=$("${CURL[@]}" "$CM" | python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["resourceVersion"])')

# writer: 4 parallel loops, each records the names the server acknowledged (201)
writer() {
        local id=$1 i=0 code
        while :; do
                i=$((i + 1))
                code=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
                        -d "{\"metadata\":{\"name\":\"w$id-$i\"},\"data\":{\"i\":\"$i\"}}" "$CM") || true
                [ "$code" = 201 ] && echo "w$id-$i" >>"$W/acked.$id"
                [ "$code" = 000 ] && [ -f "$W/killed" ] && break
        done
}
for id in 1 2 3 4; do writer $id & pids+=($!); done
at_exit "kill ${pids[*]}"
sleep 1.5
ocxd_pid=$(cat "$OCX_BASE/run/ocxd.pid")
kill -9 "$ocxd_pid"
touch "$W/killed"
for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
cat "$W"/acked.* >"$W/acked"
n=$(wc -l <"$W/acked")
diag "$n writes acknowledged before kill -9"
ok "writes were acknowledged before the kill" test "$n" -gt 20
gone() { local s; s=$(ps -o stat= -p "$1"); [ -z "$s" ] || [[ $s == Z* ]]; } # a zombie is gone too
ok "ocxd is gone" wait_for -t 5 gone "$ocxd_pid"

run ocx cluster up --base-dir "$OCX_BASE" --listen "127.0.0.1:$OCX_PORT"
is "$rc" 0 "cluster up restarts ocxd on the same state"
"${CURL[@]}" "$CM" >"$W/list.json"
missing=$(python3 - "$W/acked" "$W/list.json" <<'PY'
import json, sys
acked = [l.strip() for l in open(sys.argv[1]) if l.strip()]
items = {i["metadata"]["name"]: i for i in json.load(open(sys.argv[2]))["items"]}
print(len([a for a in acked if a not in items]))
PY
)
is "$missing" 0 "every acknowledged write survived kill -9"
revs_ok=$(python3 - "$W/list.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rvs = sorted(int(i["metadata"]["resourceVersion"]) for i in d["items"])
print("yes" if len(set(rvs)) == len(rvs) and (not rvs or rvs[-1] <= int(d["metadata"]["resourceVersion"])) else "no")
PY
)
is "$revs_ok" yes "revisions are unique and not beyond the list revision"

# a watch from the revision before the load replays the writes
timeout 3 "${CURL[@]}" -N "$CM?watch=1&resourceVersion=$start_rv&timeoutSeconds=1" >"$W/watch.out"
added=$(grep -c '"type":"ADDED"' "$W/watch.out")
ok "watch from before the crash replays the acknowledged creates ($added events)" test "$added" -ge "$n"

# new writes continue after the highest revision
code=$("${CURL[@]}" -o "$W/new.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        -d '{"metadata":{"name":"after-restart"}}' "$CM")
is "$code" 201 "writes work after restart"
new_rv=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["metadata"]["resourceVersion"])' "$W/new.json")
list_rv=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["metadata"]["resourceVersion"])' "$W/list.json")
ok "the next revision is beyond every earlier one" test "$new_rv" -gt "$list_rv"
