#!/usr/bin/env bash
# Checks or rewrites generated sections of a markdown file: the lines between
# "<!-- BEGIN GENERATED: NAME -->" and "<!-- END GENERATED: NAME -->".
#   generated_section.sh check  GENERATED_FILE DOC NAME   (a test: fails when they differ)
#   generated_section.sh update GENERATED_FILE DOC NAME   (bazel run: DOC relative to the workspace)
# Without NAME, GENERATED_FILE holds one or more sections, each between its own BEGIN/END
# lines, and every one of them is checked or rewritten in DOC (each must be there once).
# UPDATE_TARGET names the `bazel run` target that rewrites the sections (for messages).
set -euo pipefail
mode="$1" generated="$2" doc="$3"
update_target="${UPDATE_TARGET:-//docs:update_settings_table}"
if [[ "$mode" == update ]]; then
    generated="$PWD/$generated"
    cd "${BUILD_WORKSPACE_DIRECTORY:?run me with bazel run}"
fi
if [[ $# -ge 4 ]]; then
    names=("$4")
    single=1
else
    mapfile -t names < <(sed -n 's/^<!-- BEGIN GENERATED: \(.*\) -->$/\1/p' "$generated")
    single=0
    if [[ ${#names[@]} == 0 ]]; then
        echo "$generated: holds no '<!-- BEGIN GENERATED: NAME -->' line" >&2
        exit 1
    fi
fi
section() {  # FILE NAME: the lines between NAME's markers
    awk -v begin="<!-- BEGIN GENERATED: $2 -->" -v end="<!-- END GENERATED: $2 -->" \
        '$0 == end {inside = 0} inside {print} $0 == begin {inside = 1}' "$1"
}
body() {  # NAME: the generated lines of NAME
    if [[ $single == 1 ]]; then cat "$generated"; else section "$generated" "$1"; fi
}
for name in "${names[@]}"; do
    begin="<!-- BEGIN GENERATED: $name -->"
    end="<!-- END GENERATED: $name -->"
    if [[ "$(grep -cxF -e "$begin" -e "$end" "$doc")" != 2 ]]; then
        echo "$doc: needs exactly one '$begin' and one '$end' line" >&2
        exit 1
    fi
done
case "$mode" in
check)
    stale=0
    for name in "${names[@]}"; do
        if ! diff -u --label "$doc ($name)" --label "generated ($name)" <(section "$doc" "$name") <(body "$name"); then
            stale=1
        fi
    done
    if [[ $stale == 1 ]]; then
        echo "$doc: generated sections are out of date; run: bazel run $update_target" >&2
        exit 1
    fi
    ;;
update)
    tmp="$doc.tmp.$$"
    cp "$doc" "$tmp"
    for name in "${names[@]}"; do
        body "$name" > "$tmp.section"
        awk -v begin="<!-- BEGIN GENERATED: $name -->" -v end="<!-- END GENERATED: $name -->" -v generated="$tmp.section" '
            $0 == begin {print; while ((getline line < generated) > 0) print line; skip = 1; next}
            $0 == end {skip = 0}
            !skip {print}' "$tmp" > "$tmp.next"
        mv "$tmp.next" "$tmp"
    done
    rm -f "$tmp.section"
    mv "$tmp" "$doc"
    echo "updated $doc"
    ;;
*)
    echo "usage: $0 check|update GENERATED DOC [NAME]" >&2
    exit 2
    ;;
esac
