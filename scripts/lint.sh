#!/usr/bin/env bash
# Lints every Starlark, BUILD, WORKSPACE and MODULE file of the repository with buildifier
# (pinned in tools/lint/package-lock.json, installed by scripts/setup.sh): formatting and
# `--lint=warn`. Exits non-zero, naming each file and warning, when anything is off.
#   scripts/lint.sh         check only (what scripts/test.sh and so .ci/run run first)
#   scripts/lint.sh --fix   rewrite the files: `--lint=fix` (the warnings buildifier can fix
#                           itself) and formatting; fix what it still reports by hand
set -euo pipefail
cd "$(dirname "$0")/.."

mode=check
case "${1:-}" in
  "") ;;
  --fix) mode=fix ;;
  *) echo "usage: scripts/lint.sh [--fix]" >&2; exit 2 ;;
esac

case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "lint: no buildifier binary for $(uname -m) in @bazel/buildifier" >&2; exit 1 ;;
esac
buildifier="tools/lint/node_modules/@bazel/buildifier/buildifier-linux_$arch"
if [[ ! -x "$buildifier" ]]; then
  echo "lint: $buildifier is missing: run scripts/setup.sh --no-example (it runs npm ci in tools/lint)" >&2
  exit 1
fi

# The files: tracked and new ones, less what .gitignore leaves out (bazel-* symlinks,
# tools/lint/node_modules, tests/integration/generated and other generated outputs).
files=()
while IFS= read -r -d '' file; do
  [[ -f "$file" ]] && files+=("$file")
done < <(git ls-files -z --cached --others --exclude-standard -- \
  '*.bzl' '*.star' '*BUILD' '*BUILD.bazel' '*WORKSPACE' '*WORKSPACE.bazel' '*WORKSPACE.bzlmod' '*MODULE.bazel')
if ((${#files[@]} == 0)); then
  echo "lint: found no Starlark files (is this a git checkout?)" >&2
  exit 1
fi

# Warnings left out of the default set, each for a reason that holds for the whole repository:
# - native-sh-binary, native-sh-test: the fix is loading sh_* from @rules_shell, which Bazel
#   4.2.3 (Debian's, offline: CONTRIBUTING.md) has no copy of; its native rules are the only ones.
warnings="-native-sh-binary,-native-sh-test"

if [[ "$mode" == fix ]]; then
  "$buildifier" --lint=fix --warnings="$warnings" --mode=fix -r "${files[@]}"
  echo "lint: fixed what buildifier can; checking what is left" >&2
fi

if ! "$buildifier" --lint=warn --warnings="$warnings" --mode=check -r "${files[@]}"; then
  cat >&2 <<'MSG'

lint: FAILED. Lines ending in "# reformat" name files whose formatting differs from
buildifier's; the others are lint warnings (file:line: category: message). Run
scripts/lint.sh --fix to reformat and apply buildifier's own fixes, then fix the rest by hand
(docstrings, unused names...). Disable a warning on one line only with a reason:
  # buildifier: disable=<category>  (why it does not apply here)
MSG
  exit 1
fi
echo "lint: ${#files[@]} Starlark/BUILD/WORKSPACE/MODULE files clean (buildifier $("$buildifier" --version | sed -n 's/^buildifier version: *\([^ ]*\).*/\1/p'))"
