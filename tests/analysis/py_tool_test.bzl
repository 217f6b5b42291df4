"""Analysis tests: tool actions run on //oxidizer:tool_python's interpreter, not a py_binary stub."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//oxidizer:defs.bzl", "py_oxidized_binary")
load("//oxidizer:providers.bzl", "PythonDistributionInfo")
load(":testing.bzl", "ActionsInfo", "make_analysis_test")

_TOOL_MNEMONICS = ["OxidizerClassify", "OxidizerPack", "OxidizerEmbedConfig", "OxidizerInstall"]

def _tool_actions_test_impl(ctx):
    env = analysistest.begin(ctx)
    interpreter = ctx.attr._tool_python[PythonDistributionInfo].interpreter
    seen = []
    for action in analysistest.target_under_test(env)[ActionsInfo].actions:
        if action.mnemonic not in _TOOL_MNEMONICS:
            continue
        seen.append(action.mnemonic)
        argv = action.argv
        asserts.equals(env, interpreter.path, argv[0], "%s: program" % action.mnemonic)
        asserts.equals(env, ["-S", "-B"], argv[1:3], "%s: interpreter flags" % action.mnemonic)
        asserts.true(env, argv[3].endswith(".tool.py"), "%s: %s is not a tool launcher" % (action.mnemonic, argv[3]))
        inputs = [f.path for f in action.inputs.to_list()]
        asserts.true(env, argv[3] in inputs, "%s: the launcher is not an input" % action.mnemonic)
        asserts.true(env, interpreter.path in inputs, "%s: the interpreter is not an input" % action.mnemonic)
        asserts.equals(env, "0", action.env.get("PYTHONHASHSEED"), "%s: PYTHONHASHSEED" % action.mnemonic)
    for mnemonic in _TOOL_MNEMONICS:
        asserts.true(env, mnemonic in seen, "no %s action" % mnemonic)
    return analysistest.end(env)

tool_actions_test = make_analysis_test(
    _tool_actions_test_impl,
    attrs = {
        "_tool_python": attr.label(
            default = Label("//oxidizer:tool_python"),
            cfg = "exec",
            providers = [PythonDistributionInfo],
        ),
    },
)

def py_tool_test_suite(name):
    """Declares the tool-action analysis tests and a test_suite `name` of them."""
    py_oxidized_binary(
        name = "tool_actions_binary",
        tags = ["manual"],
        main = "prog.py",
    )
    tool_actions_test(
        name = "tool_actions_run_on_tool_python_test",
        target_under_test = ":tool_actions_binary",
    )
    native.test_suite(name = name, tests = ["tool_actions_run_on_tool_python_test"])
