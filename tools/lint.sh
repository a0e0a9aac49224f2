#!/usr/bin/env bash
# make lint: clang-format 14 (dry run), cppcheck and clang-tidy.
# Checks the C files changed against origin/main (or HEAD~1) by default;
# LINT_ALL=1 checks every file. Exit status: non-zero when a checker reports.
set -u
cd "$(dirname "$0")/.."
if [ "${LINT_ALL:-0}" = 1 ]; then
  files=$(git ls-files '*.c' '*.h')
else
  base=$(git rev-parse -q --verify origin/main || git rev-parse -q --verify HEAD~1 || echo HEAD)
  files=$( (git diff --name-only "$base" -- '*.c' '*.h'; git ls-files -o --exclude-standard '*.c' '*.h') | sort -u)
fi
files=$(for f in $files; do [ -f "$f" ] && echo "$f"; done)
[ -z "$files" ] && { echo "lint: nothing to check"; exit 0; }
incs=(-Ilib/include -Iscc/include -Ipolicies/include -Iimagestreams/include -Iplatform/include -Icli/include -Irouter/include -I/usr/include/cjson)
status=0
echo "== clang-format"
clang-format --dry-run --Werror $files 2>&1 | grep -c "error:" | sed 's/^/format findings: /'
clang-format --dry-run --Werror $files >/dev/null 2>&1 || status=1
echo "== cppcheck"
cppcheck -q --error-exitcode=1 --enable=warning,performance,portability --inline-suppr \
  --suppress=missingIncludeSystem "${incs[@]}" $(grep '\.c$' <<<"$files") || status=1
echo "== clang-tidy"
for f in $(grep '\.c$' <<<"$files"); do
  clang-tidy -quiet "$f" -checks='-*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-bugprone-narrowing-conversions,-bugprone-assignment-in-if-condition,cert-err34-c,clang-analyzer-*,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling' \
    -- -std=gnu17 -D_GNU_SOURCE "${incs[@]}" 2>/dev/null | grep -E "warning:|error:" && status=1
done
exit $status
