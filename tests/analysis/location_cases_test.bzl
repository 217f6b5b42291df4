"""location_cases_test: oxidizer/private/locations.bzl's check against LOCATION_CASES.

The cases are evaluated at analysis; the test script reports each one the check gets wrong
and fails when there is any (tools/tests/test_locations.py runs the same cases through the
tools' parser).
"""

load("//oxidizer:internal.bzl", "location_error")
load(":location_cases.bzl", "LOCATION_CASES")

def _location_cases_test_impl(ctx):
    wrong = []
    for text, valid in LOCATION_CASES:
        err = location_error(text)
        if valid and err:
            wrong.append("%r should be valid: %s" % (text, err))
        if not valid and not err:
            wrong.append("%r should be invalid" % text)
    wrong.append("%d of %d location cases wrong" % (len(wrong), len(LOCATION_CASES)))
    lines = ["#!/bin/sh", "cat <<'END_OF_CASES'"] + wrong + ["END_OF_CASES", "exit %d" % (1 if len(wrong) > 1 else 0)]
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(script, "\n".join(lines) + "\n", is_executable = True)
    return [DefaultInfo(executable = script)]

location_cases_test = rule(
    implementation = _location_cases_test_impl,
    doc = "Fails when locations.bzl's `location_error` disagrees with a case of LOCATION_CASES.",
    test = True,
)
