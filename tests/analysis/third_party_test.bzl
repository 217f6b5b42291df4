"""Analysis tests: third-party libraries (rules_python's pip layout) become shared groups."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//oxidizer:defs.bzl", "py_oxidized_binary")
load(":testing.bzl", "ActionsInfo", "failure_test", "make_analysis_test")

_GROUP = "external/test_rules_python_whl_six/pkg.oxidized.pyembed"

def _third_party_group_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    packed = [f.short_path for f in target[OutputGroupInfo].packed_resources.to_list()]
    asserts.true(env, [p for p in packed if p.endswith(_GROUP.replace("external/", "../"))] != [], "no third-party group for six in %s" % packed)

    # The binary's own classify action sees only first-party files.
    classify = [a for a in target[ActionsInfo].actions if a.mnemonic == "OxidizerClassify"]
    asserts.equals(env, 1, len(classify))
    inputs = [f.short_path for f in classify[0].inputs.to_list()]
    asserts.true(env, [i for i in inputs if "six" in i] == [], "the app group packs six: %s" % inputs)
    asserts.true(env, [i for i in inputs if i.endswith("tests/analysis/prog.py")] != [], "prog.py is not in the app group")
    return analysistest.end(env)

third_party_group_test = make_analysis_test(_third_party_group_test_impl)

def third_party_test_suite(name):
    """Declares the third-party analysis tests and a test_suite `name` of them.

    Args:
      name: the test_suite's name.
    """
    py_oxidized_binary(
        name = "uses_rules_python_wheel",
        tags = ["manual"],
        main = "prog.py",
        deps = ["@test_rules_python_hub//six"],
    )
    third_party_group_test(
        name = "rules_python_wheel_is_a_third_party_group_test",
        target_under_test = ":uses_rules_python_wheel",
    )

    py_oxidized_binary(
        name = "entry_point_and_main",
        tags = ["manual"],
        main = "prog.py",
        entry_point = "black",
    )
    failure_test(
        name = "entry_point_and_main_test",
        target_under_test = ":entry_point_and_main",
        message = "set exactly one of main, run_module, run_command, entry_point (got main, entry_point)",
    )

    native.test_suite(name = name, tests = [
        "rules_python_wheel_is_a_third_party_group_test",
        "entry_point_and_main_test",
    ])
