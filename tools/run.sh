#!/usr/bin/env bash
# `make run`: start a cluster with the default base directory (/var/lib/ocx)
# and print how to use it. Extra arguments go to `ocx cluster up`
# (e.g. tools/run.sh --listen 127.0.0.1:9443 --base-dir /tmp/ocx).
set -eu
OCX_BIN=${OCX_BIN:-$(cd "$(dirname "$0")/.." && pwd)/build}
ocx=$OCX_BIN/ocx
if [ ! -x "$ocx" ]; then
        echo "error: no ocx binary in $OCX_BIN (run make first)" >&2
        exit 1
fi
base=/var/lib/ocx
prev=
for a in "$@"; do
        case $a in --base-dir=*) base=${a#--base-dir=} ;; esac
        [ "$prev" = --base-dir ] && base=$a
        prev=$a
done
start=$(date +%s.%N)
"$ocx" cluster up "$@"
end=$(date +%s.%N)
cat <<USAGE

Cluster ready in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')s. Try:
    export PATH=$OCX_BIN:\$PATH
    ocx whoami                      # system:admin (client certificate)
    ocx get namespaces
    ocx new-project test
    ocx cluster status --base-dir $base
    ocx cluster down --base-dir $base   # add --clean to remove the certificates and data
Logs: $base/logs/ocxd.log    Docs: docs/cluster.md
USAGE
