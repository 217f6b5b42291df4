#!/usr/bin/env bash
# Checks or rewrites a generated section of a markdown file: the lines between
# "<!-- BEGIN GENERATED: NAME -->" and "<!-- END GENERATED: NAME -->".
#   generated_section.sh check  GENERATED_FILE DOC NAME   (a test: fails when they differ)
#   generated_section.sh update GENERATED_FILE DOC NAME   (bazel run: DOC relative to the workspace)
set -euo pipefail
mode="$1" generated="$2" doc="$3" name="$4"
begin="<!-- BEGIN GENERATED: $name -->"
end="<!-- END GENERATED: $name -->"
if [[ "$mode" == update ]]; then
    generated="$PWD/$generated"
    cd "${BUILD_WORKSPACE_DIRECTORY:?run me with bazel run}"
fi
if [[ "$(grep -cxF -e "$begin" -e "$end" "$doc")" != 2 ]]; then
    echo "$doc: needs exactly one '$begin' and one '$end' line" >&2
    exit 1
fi
section() {
    awk -v begin="$begin" -v end="$end" '$0 == end {inside = 0} inside {print} $0 == begin {inside = 1}' "$1"
}
case "$mode" in
check)
    if ! diff -u <(section "$doc") "$generated"; then
        echo "$doc: the '$name' section is out of date; run: bazel run //docs:update_settings_table" >&2
        exit 1
    fi
    ;;
update)
    tmp="$doc.tmp.$$"
    awk -v begin="$begin" -v end="$end" -v generated="$generated" '
        $0 == begin {print; while ((getline line < generated) > 0) print line; skip = 1; next}
        $0 == end {skip = 0}
        !skip {print}' "$doc" > "$tmp"
    mv "$tmp" "$doc"
    echo "updated $doc"
    ;;
*)
    echo "usage: $0 check|update GENERATED DOC NAME" >&2
    exit 2
    ;;
esac
