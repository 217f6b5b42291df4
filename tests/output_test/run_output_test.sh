#!/usr/bin/env bash
# Runs a built binary and compares its exit status, stdout and stderr with expectations
# checked in beside it (the runner of oxidized_binary_output_test, output_test.bzl).
#
# usage: run_output_test.sh BINARY EXIT_STATUS STDOUT_FILE STDERR_FILE MODE [NAME=VALUE...] -- [ARG...]
#   STDERR_FILE  the expected stderr, or "-" for an empty one
#   MODE         "runfiles": run in the test's working directory, with the test's environment
#                plus the NAME=VALUE pairs;
#                "alone": copy the binary alone into an empty directory and run it there
#                with only the NAME=VALUE pairs (as `env -i`); the directory must then still
#                hold the binary alone, and nothing may be shipped beside it (<name>_lib/).
set -euo pipefail

binary=$1 expected_status=$2 expected_stdout=$3 expected_stderr=$4 mode=$5
shift 5
env_pairs=()
while [[ $# -gt 0 && $1 != "--" ]]; do
  env_pairs+=("$1")
  shift
done
[[ $# -gt 0 ]] && shift  # the "--"

out=${TEST_TMPDIR:-$(mktemp -d)}
status=0
case "$mode" in
  runfiles)
    env "${env_pairs[@]}" "$binary" "$@" >"$out/stdout" 2>"$out/stderr" || status=$?
    ;;
  alone)
    shipped="$(dirname "$binary")/$(basename "$binary")_lib"
    if [[ -d "$shipped" ]] && [[ -n "$(ls -A "$shipped")" ]]; then
      echo "FAIL: $binary ships files beside itself ($shipped): it is not the program alone" >&2
      exit 1
    fi
    alone="$out/alone"
    mkdir "$alone"
    cp "$binary" "$alone/"
    chmod 755 "$alone/$(basename "$binary")"
    (cd "$alone" && env -i "${env_pairs[@]}" "./$(basename "$binary")" "$@") >"$out/stdout" 2>"$out/stderr" || status=$?
    left=$(ls -A "$alone")
    if [[ "$left" != "$(basename "$binary")" ]]; then
      echo "FAIL: the binary left files in its working directory:" >&2
      echo "$left" >&2
      exit 1
    fi
    ;;
  *)
    echo "run_output_test.sh: unknown mode '$mode'" >&2
    exit 2
    ;;
esac

failed=0
if [[ $status -ne $expected_status ]]; then
  echo "FAIL: exit status $status, expected $expected_status" >&2
  failed=1
fi
if ! diff -u --label "expected stdout ($expected_stdout)" --label "actual stdout" "$expected_stdout" "$out/stdout" >&2; then
  failed=1
fi
if [[ $expected_stderr == "-" ]]; then
  expected_stderr=/dev/null
fi
if ! diff -u --label "expected stderr ($expected_stderr)" --label "actual stderr" "$expected_stderr" "$out/stderr" >&2; then
  failed=1
fi
exit $failed
