"""path_cases_test: oxidizer/private/paths.bzl's rule against PATH_CASES.

The cases are evaluated at analysis; the test script reports each one the rule gets wrong and
fails when there is any (tools/tests/test_paths.py runs the same cases through the Python rules).
"""

load("//oxidizer:internal.bzl", "is_normalized_relative")
load(":path_cases.bzl", "PATH_CASES")

def _path_cases_test_impl(ctx):
    wrong = []
    for path, _safe, normalized in PATH_CASES:
        if is_normalized_relative(path) != normalized:
            wrong.append("%r: is_normalized_relative should be %s" % (path, normalized))
    wrong.append("%d of %d path cases wrong" % (len(wrong), len(PATH_CASES)))
    lines = ["#!/bin/sh", "cat <<'END_OF_CASES'"] + wrong + ["END_OF_CASES", "exit %d" % (1 if len(wrong) > 1 else 0)]
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(script, "\n".join(lines) + "\n", is_executable = True)
    return [DefaultInfo(executable = script)]

path_cases_test = rule(
    implementation = _path_cases_test_impl,
    doc = "Fails when paths.bzl's `is_normalized_relative` disagrees with a case of PATH_CASES.",
    test = True,
)
