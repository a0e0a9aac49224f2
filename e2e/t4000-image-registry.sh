#!/usr/bin/env bash
# The integrated registry: `cluster up` starts docker-registry, `ocx image
# append` pushes an image built from a layer made here, `ocx image info` and
# skopeo describe it, the layer store pulls, verifies and unpacks it (cold
# and cached), a tampered blob is refused, gc collects, `cluster down` stops
# the registry.
. "$(dirname "$0")/lib.sh"

[ -x /usr/bin/docker-registry ] || skip_all "docker-registry not installed"

RP=$(free_port) || bail_out "no free port"
export OCX_REGISTRY_LISTEN=127.0.0.1:$RP
ocx_up || bail_out "cluster up failed"
REG=127.0.0.1:$RP
tmp=$OCX_TMP/t4000
mkdir -p "$tmp/root/bin" "$tmp/root/etc" "$tmp/root/srv"

run curl -fsS "http://$REG/v2/"
is "$rc" 0 "registry answers /v2/ at $REG"
like "$(cat "$OCX_BASE/run/docker-registry.json")" "\"$REG\"" "the chosen address is recorded"

# a layer built with GNU tar, as images are built for ocx
printf 'hello from ocx\n' >"$tmp/root/etc/greeting"
printf '#!/bin/sh\necho hi\n' >"$tmp/root/bin/hello"
chmod 0755 "$tmp/root/bin/hello"
ln -s ../etc/greeting "$tmp/root/srv/link"
head -c 200000 /dev/urandom >"$tmp/root/srv/data.bin"
tar --numeric-owner --owner=0 --group=0 --sort=name -C "$tmp/root" -cf "$tmp/layer.tar" .
gzip -n -c "$tmp/layer.tar" >"$tmp/layer.tar.gz"
layer_digest=sha256:$(sha256sum "$tmp/layer.tar.gz" | cut -d' ' -f1)

run ocx image append --from=scratch --to="$REG/test/hello:latest" \
        --image='{"Entrypoint":["/bin/hello"],"ExposedPorts":{"8080/tcp":{}},"User":"1001","Env":["GREETING=hi"]}' \
        "$tmp/layer.tar.gz"
is "$rc" 0 "image append from scratch"
like "$out" "^Uploaded sha256:[0-9a-f]{64} to $REG/test/hello:latest$" "append prints the pushed digest"
digest=$(sed -n 's/^Uploaded \(sha256:[0-9a-f]*\) .*/\1/p' <<<"$out")

run ocx image info "$REG/test/hello:latest"
is "$rc" 0 "image info"
like "$out" "^Name: +$REG/test/hello:latest" "info: name"
like "$out" "^Digest: +$digest" "info: digest agrees with append"
like "$out" "Media Type: +application/vnd.docker.distribution.manifest.v2\+json" "info: media type"
like "$out" "Layers: +[0-9.]+kB +$layer_digest" "info: the gzip layer is pushed as is"
like "$out" "Entrypoint: +/bin/hello" "info: entrypoint"
like "$out" "User: +1001" "info: user"
like "$out" "Exposed Ports: +8080/tcp" "info: exposed ports"
like "$out" "Environment: +GREETING=hi" "info: environment"

if command -v skopeo >/dev/null; then
        run skopeo inspect --tls-verify=false "docker://$REG/test/hello:latest"
        is "$rc" 0 "skopeo inspect"
        like "$out" "\"Digest\": \"$digest\"" "skopeo agrees on the digest"
        like "$out" "\"$layer_digest\"" "skopeo lists the layer"
else
        skip "skopeo inspect" "skopeo not installed"
fi

# a plain tar is compressed; a base image from the same registry is mounted
run ocx image append --from="$REG/test/hello:latest" --to="$REG/other/hello2:v2" \
        --image='{"Cmd":["--loud"]}' "$tmp/layer.tar"
is "$rc" 0 "append on top of an image (plain tar layer)"
run ocx image info "$REG/other/hello2:v2"
like "$out" "in 2 layers" "two layers"
like "$out" "Entrypoint: +/bin/hello" "the base config is kept"
like "$out" "Command: +--loud" "the new setting is applied"
like "$(cat "$OCX_BASE/logs/docker-registry.log")" "mount=$layer_digest" "the base layer was mounted across repositories"

run ocx image info "$REG/test/missing:latest"
is "$rc" 1 "info on a missing image fails"
like "$err" "MANIFEST_UNKNOWN|NAME_UNKNOWN|answered 404" "with the registry's reason"

# pull into a layer store: verified, unpacked, then cached
store=$tmp/store
t0=$(date +%s.%N)
run ocx image pull-test --base-dir "$store" "$REG/test/hello:latest"
t1=$(date +%s.%N)
is "$rc" 0 "pull into the layer store"
like "$out" "^digest $digest$" "pulled digest"
like "$out" "^entrypoint /bin/hello$" "config parsed"
like "$out" "^port 8080/tcp$" "exposed port parsed"
dir=$(sed -n "s|^layer $layer_digest ||p" <<<"$out")
is "$dir" "$store/layers/sha256/${layer_digest#sha256:}" "layer unpacked in the content-addressed store"
is "$(cat "$dir/etc/greeting" 2>&1)" "hello from ocx" "file content"
is "$(readlink "$dir/srv/link")" "../etc/greeting" "symlink"
ok "binary data intact" cmp "$dir/srv/data.bin" "$tmp/root/srv/data.bin"
is "$(stat -c %a "$dir/bin/hello")" "755" "mode kept"
run ocx image pull-test --base-dir "$store" "$REG/test/hello:latest"
t2=$(date +%s.%N)
is "$rc" 0 "cached pull"
diag "pull cold $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')s, cached $(awk -v a="$t1" -v b="$t2" 'BEGIN{printf "%.3f", b-a}')s"

# tamper with the blob in registry storage (same size): refused
data=$OCX_BASE/registry/docker/registry/v2/blobs/sha256/${layer_digest:7:2}/${layer_digest#sha256:}/data
ok "blob is in registry storage" test -f "$data"
python3 - "$data" <<'PY' || printf 'X' | dd of="$data" bs=1 seek=100 conv=notrunc status=none
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[100] ^= 0xFF
open(p, "wb").write(b)
PY
run ocx image pull-test --base-dir "$tmp/store2" "$REG/test/hello:latest"
is "$rc" 1 "pull of a tampered blob fails"
like "$err" "digest mismatch for blob '$layer_digest'" "with a digest mismatch error"
ok "nothing unpacked from the tampered blob" test ! -e "$tmp/store2/layers/sha256/${layer_digest#sha256:}"
ok "no tampered blob stored" test ! -e "$tmp/store2/blobs/sha256/${layer_digest#sha256:}"

run ocx image gc-test --base-dir "$store"
is "$rc" 0 "gc with nothing in use"
like "$out" "removed 2 blobs, 1 layers" "gc removes the layer and the blobs"
ok "layer dir collected" test ! -e "$dir"

# cluster down stops the registry
pid=$(cat "$OCX_BASE/run/docker-registry.pid")
run "$OCX_BIN/ocx" cluster down --base-dir "$OCX_BASE"
is "$rc" 0 "cluster down"
like "$out" "Stopped docker-registry \(pid $pid\)" "reports the registry stopped"
gone() { [ ! -d "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
ok "registry process gone (or a zombie awaiting its reaper)" gone "$pid"
run curl -fsS --max-time 2 "http://$REG/v2/"
isnt "$rc" 0 "registry no longer answers"

done_testing
