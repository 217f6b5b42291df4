"""Shared pieces of the analysis tests: analysistest.make() without its toolchain, failure_test."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")

# skylib 1.0.3's analysistest.make() requires the unittest toolchain, which this workspace
# does not register (rules_oxidizer_bazel4_compat() would have to call
# register_toolchains("@bazel_skylib//toolchains/unittest:all")). Analysis tests report
# through AnalysisTestResultInfo and need no toolchain, so this is analysistest.make()
# without it; begin/end/asserts are skylib's.
ActionsInfo = provider(
    doc = "The actions of the target under test (`_actions_aspect`).",
    fields = {"actions": "list[Action]: `target.actions`"},
)

def tool_args(action):
    """A tool action's flags: its param file's content when Bazel exposes it, else argv.

    Args:
      action: an Action of `ActionsInfo.actions`.

    Returns:
      A list of strings.
    """
    args = []
    for a in getattr(action, "args", None) or []:
        args += a.arguments if hasattr(a, "arguments") else []
    return args or action.argv

def _actions_aspect_impl(target, _ctx):
    return [ActionsInfo(actions = target.actions)]

_actions_aspect = aspect(implementation = _actions_aspect_impl)

def make_analysis_test(impl, expect_failure = False, attrs = {}):
    """An analysis test rule whose `target_under_test` exposes its actions (ActionsInfo).

    Args:
      impl: the test's implementation function.
      expect_failure: whether the target under test is expected to fail analysis.
      attrs: further attributes of the test rule.

    Returns:
      The test rule.
    """
    attrs = dict(attrs)
    attrs["_impl_name"] = attr.string(default = "analysis_test")
    settings = {}
    if expect_failure:
        settings["//command_line_option:allow_analysis_failures"] = "True"
    kwargs = {}
    if settings:
        kwargs["cfg"] = analysis_test_transition(settings = settings)
    attrs["target_under_test"] = attr.label(aspects = [_actions_aspect], mandatory = True, **kwargs)
    return rule(impl, attrs = attrs, test = True, analysis_test = True)

def _failure_test_impl(ctx):
    env = analysistest.begin(ctx)
    asserts.expect_failure(env, ctx.attr.message)
    return analysistest.end(env)

failure_test = make_analysis_test(
    _failure_test_impl,
    expect_failure = True,
    attrs = {"message": attr.string(mandatory = True)},
)
