#!/usr/bin/env bash
# Benchmark: pull of a ~100 MB image (4 layers of random data) from a local
# docker-registry into the layer store: cold (download, verify, unpack) and
# cached (manifest only). Prints the figures and appends them to
# docs/benchmarks.md under "## Images".
#   e2e/bench/image-pull.sh [MB_TOTAL] [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
: "${OCX_BIN:=$root/build}"
mb=${1:-100}
runs=${2:-3}
[ -x /usr/bin/docker-registry ] || { echo "image-pull: docker-registry not installed, skipped"; exit 0; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ocx-bench-image.XXXXXX")
pid=
cleanup() {
        if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
        rm -rf "$tmp"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$tmp/registry.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $tmp/registry
http:
  addr: 127.0.0.1:$port
  secret: bench
YML
now() { date +%s.%N; }
t0=$(now)
/usr/bin/docker-registry serve "$tmp/registry.yml" >"$tmp/registry.log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.01; done
t1=$(now)
reg_start=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')

# layers: random data (incompressible, like already-compressed payloads)
nl=4
per=$((mb / nl))
layers=()
for i in $(seq 1 $nl); do
        mkdir -p "$tmp/l$i/data"
        for j in $(seq 1 $per); do head -c 1048576 /dev/urandom >"$tmp/l$i/data/f$i-$j.bin"; done
        tar --numeric-owner --owner=0 --group=0 --sort=name -C "$tmp/l$i" -cf - . | gzip -1 -n >"$tmp/l$i.tar.gz"
        rm -rf "$tmp/l$i"
        layers+=("$tmp/l$i.tar.gz")
done
ref=127.0.0.1:$port/bench/big:latest
t0=$(now)
"$OCX_BIN/ocx" image append --from=scratch --to="$ref" "${layers[@]}" >/dev/null
t1=$(now)
push=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
size=$(du -cb "${layers[@]}" | tail -1 | cut -f1)

cold=()
cached=()
for r in $(seq 1 "$runs"); do
        rm -rf "$tmp/store"
        t0=$(now)
        "$OCX_BIN/ocx" image pull-test --base-dir "$tmp/store" "$ref" >/dev/null
        t1=$(now)
        "$OCX_BIN/ocx" image pull-test --base-dir "$tmp/store" "$ref" >/dev/null
        t2=$(now)
        cold+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')")
        cached+=("$(awk -v a="$t1" -v b="$t2" 'BEGIN{printf "%.3f", b-a}')")
done
med() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; }
cold_m=$(med "${cold[@]}")
cached_m=$(med "${cached[@]}")
mbs=$(awk -v s="$size" -v t="$cold_m" 'BEGIN{printf "%.0f", s/1048576/t}')

summary="image of $(awk -v s="$size" 'BEGIN{printf "%.0f", s/1048576}') MB in $nl layers: registry start ${reg_start}s, push (ocx image append) ${push}s, pull cold ${cold_m}s (~${mbs} MB/s: download, sha256, unpack), pull cached ${cached_m}s (median of $runs; cold runs ${cold[*]}, cached ${cached[*]})"
echo "image-pull: $summary"

doc=$root/docs/benchmarks.md
entry="- $(date -u +%Y-%m-%d) \`e2e/bench/image-pull.sh $mb $runs\` on $(nproc) CPUs ($(uname -r)): $summary"
mkdir -p "$(dirname "$doc")"
[ -f "$doc" ] || printf '# Benchmarks\n' >"$doc"
python3 - "$doc" "$entry" <<'PY'
import sys
path, entry = sys.argv[1], sys.argv[2]
lines = open(path).read().split("\n")
if lines and lines[-1] == "":
    lines.pop()
try:
    start = next(i for i, l in enumerate(lines) if l.strip() == "## Images")
except StopIteration:
    lines += ["", "## Images", "", "Pull of a generated image from a local docker-registry into the layer store "
              "(`ocx image pull-test`, the node's `img_pull`).", ""]
    start = len(lines) - 4
end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
while end > start + 1 and lines[end - 1] == "":
    end -= 1
if not lines[end - 1].startswith("- "):
    lines.insert(end, "")
    end += 1
lines.insert(end, entry)
open(path, "w").write("\n".join(lines) + "\n")
PY
