#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, when missing.
# Idempotent and quiet when nothing is missing. Daemon packages are installed
# with a policy-rc.d in place so apt does not start them on default ports.
set -euo pipefail
pkgs=(
  gcc make pkg-config clang clang-format clang-tidy cppcheck
  libmicrohttpd-dev libcjson-dev libyaml-dev libcurl4-openssl-dev libsqlite3-dev
  libcap-dev libseccomp-dev libselinux1-dev libh2o-evloop-dev libarchive-dev
  libcmocka-dev libgnutls28-dev libssl-dev libcrypt-dev
  curl openssl iproute2 procps psmisc util-linux busybox-static
  docker-registry skopeo
  # router / DNS tests and the router benchmark (e2e/t5*, e2e/bench/router.sh)
  dnsutils awscli nodejs wrk nginx haproxy
)
# Debian's nodejs has no npm (a NodeSource nodejs brings its own and conflicts with it)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then echo "deps: run as root to install packages" >&2; exit 1; fi
rc_created=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; rc_created=1
fi
trap '[ $rc_created = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/ocx-deps.log 2>&1 || {
  apt-get update -q >>/tmp/ocx-deps.log 2>&1
  apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/ocx-deps.log 2>&1 || {
    tail -20 /tmp/ocx-deps.log >&2; exit 1; }
}
