#!/usr/bin/env bash
# make fuzz: builds every fuzz entry point (*/fuzz/fuzz-*.c) as a libFuzzer
# binary with clang, ASan and UBSan into build-fuzz/, and runs each for
# FUZZ_SECONDS (default 30) over a copy of its corpus.
set -eu
cd "$(dirname "$0")/.."
out=build-fuzz
mkdir -p "$out"
flags="-g -O1 -fsanitize=fuzzer,address,undefined -std=gnu17 -D_GNU_SOURCE $(pkg-config --cflags libcjson yaml-0.1)"
incs="-Ilib/include -Iscc/include -Ipolicies/include -Iimagestreams/include -Iplatform/include -Icli/include -Irouter/include"
libs="$(pkg-config --libs libmicrohttpd libcjson yaml-0.1 libcurl sqlite3 libcap libseccomp libselinux libarchive gnutls) -lh2o-evloop -lssl -lcrypto -lm -lpthread"
for f in $(ls */fuzz/fuzz-*.c platform/*/fuzz/fuzz-*.c 2>/dev/null); do
  comp=${f%%/*}
  case $comp in
    platform) srcs="$(ls platform/*/src/*.c) $(ls scc/src/*.c policies/src/*.c imagestreams/src/*.c 2>/dev/null) build/gen/policy-data.c" ;;
    *) srcs="$(ls "$comp"/src/*.c 2>/dev/null)" ;;
  esac
  name=$(basename "$f" .c)
  echo "== $name"
  clang $flags $incs -o "$out/$name" "$f" $srcs $(ls lib/src/*.c) $libs
  corpus=$(dirname "$f")/corpus/${name#fuzz-}
  mkdir -p "$out/corpus-$name"
  cp -n "$corpus"/* "$out/corpus-$name/" 2>/dev/null || true
  "$out/$name" -max_total_time="${FUZZ_SECONDS:-30}" "$out/corpus-$name" 2>&1 | tail -3
done
