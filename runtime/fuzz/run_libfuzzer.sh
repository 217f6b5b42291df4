#!/usr/bin/env bash
# Builds the packed resources fuzz target with clang + libFuzzer (ASan, UBSan)
# and fuzzes it for the given number of seconds (default 60).
#
#   runtime/fuzz/run_libfuzzer.sh [SECONDS] [extra libFuzzer flags...]
#
# The committed corpus is only read; new inputs go to a scratch directory
# ($FUZZ_WORK, default a fresh temp dir). Exits 0 when no crash was found;
# crash reproducers are left in the scratch directory.
set -euo pipefail

seconds="${1:-60}"
shift || true
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
runtime="$(dirname "$here")"
cc="${CC:-clang}"
work="${FUZZ_WORK:-$(mktemp -d -t oxr_fuzz.XXXXXX)}"
mkdir -p "$work/corpus"

"$cc" -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=all -Wall -Wextra -Werror \
    -I"$runtime/include" \
    "$runtime/src/packed_resources.c" "$runtime/src/relative_path.c" \
    "$here/packed_resources_fuzz.c" \
    -o "$work/packed_resources_fuzz"

echo "fuzzing for ${seconds}s in $work"
cd "$work"
./packed_resources_fuzz -max_total_time="$seconds" -max_len=4096 \
    -artifact_prefix="$work/" -print_final_stats=1 "$@" \
    "$work/corpus" "$here/corpus"
