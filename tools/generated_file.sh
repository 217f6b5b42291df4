#!/usr/bin/env bash
# Checks or rewrites a committed file that is generated whole.
#   generated_file.sh check  GENERATED_FILE FILE   (a test: fails when they differ)
#   generated_file.sh update GENERATED_FILE FILE   (bazel run: FILE relative to the workspace)
# UPDATE_TARGET names the `bazel run` target that rewrites FILE (for the message).
# (docs/generated_section.sh does the same for sections of a markdown file.)
set -euo pipefail
mode="$1" generated="$2" file="$3"
case "$mode" in
check)
    if ! diff -u --label "$file" --label generated "$file" "$generated"; then
        echo "$file is out of date; run: bazel run ${UPDATE_TARGET:?}" >&2
        exit 1
    fi
    ;;
update)
    generated="$PWD/$generated"
    cd "${BUILD_WORKSPACE_DIRECTORY:?run me with bazel run}"
    cp "$generated" "$file.tmp.$$"
    chmod 644 "$file.tmp.$$"
    mv "$file.tmp.$$" "$file"
    echo "updated $file"
    ;;
*)
    echo "usage: $0 check|update GENERATED FILE" >&2
    exit 2
    ;;
esac
