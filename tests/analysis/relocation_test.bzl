"""Analysis tests: a binary repacks the groups it shares with its own policy file.

The pack action of a relocated group reads the binary's policy file (the one its app
group's classify action reads) for `resource_locations`,
`allow_in_memory_shared_library_loading` and `resources_location_fallback`, and is told by
`--move_fallback` whether that fallback applies to the group's fallback shared objects.
"""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//oxidizer:defs.bzl", "py_oxidized_binary")
load(":testing.bzl", "ActionsInfo", "make_analysis_test", "tool_args")

def _flag_values(args, name):
    prefix = "--%s=" % name
    return [a[len(prefix):] for a in args if a.startswith(prefix)]

def _relocation_test_impl(ctx):
    env = analysistest.begin(ctx)
    actions = analysistest.target_under_test(env)[ActionsInfo].actions
    policy_files = {}
    for action in actions:
        outputs = action.outputs.to_list()
        if action.mnemonic == "FileWrite" and len(outputs) == 1 and outputs[0].basename.endswith(".policy.json"):
            policy_files[outputs[0].path] = json.decode(action.content)
    classify_policies = [
        p
        for action in actions
        if action.mnemonic == "OxidizerClassify"
        for p in _flag_values(tool_args(action), "policy")
    ]
    relocating = [
        action
        for action in actions
        if action.mnemonic == "OxidizerPack" and _flag_values(tool_args(action), "output_manifest")
    ]
    if not ctx.attr.relocates:
        asserts.equals(env, [], [tool_args(a) for a in relocating], "packs that relocate")
        return analysistest.end(env)
    asserts.true(env, relocating != [], "no OxidizerPack action relocates a shared group")
    for action in relocating:
        args = tool_args(action)
        for old in ("resource_location", "resources_location_fallback"):
            asserts.equals(env, [], _flag_values(args, old), "pack flag --%s (the policy file carries it)" % old)
        policy = _flag_values(args, "policy")
        asserts.equals(env, 1, len(policy), "pack --policy flags: %s" % args)
        if len(policy) != 1:
            continue
        path = policy[0]
        asserts.true(env, path in [f.path for f in action.inputs.to_list()], "the policy file %s is not an input of pack" % path)
        asserts.true(env, path in classify_policies, "pack's policy file %s is not the one a classify action reads (%s)" % (path, classify_policies))
        asserts.true(env, path in policy_files, "no action writes the policy file %s" % path)
        move = "--move_fallback" if ctx.attr.move_fallback else "--nomove_fallback"
        asserts.true(env, move in args, "pack argv lacks %s: %s" % (move, args))
        written = policy_files.get(path, {}).get("policy", {})
        for key, value in json.decode(ctx.attr.policy).items():
            asserts.equals(env, value, written.get(key, "<missing>"), "policy file %s: %s" % (path, key))
    return analysistest.end(env)

relocation_test = make_analysis_test(
    _relocation_test_impl,
    attrs = {
        "relocates": attr.bool(default = True, doc = "Whether the binary repacks the groups it shares."),
        "move_fallback": attr.bool(doc = "Whether pack moves the groups' fallback objects to the binary's fallback."),
        "policy": attr.string(default = "{}", doc = "JSON object: policy file values, by attribute name."),
    },
)

def relocation_test_suite(name):
    """Declares the relocation analysis tests and a test_suite `name` of them.

    Args:
      name: the test_suite's name.
    """
    py_oxidized_binary(
        name = "relocating_to_extracted",
        tags = ["manual"],
        main = "prog.py",
        resource_locations = {"json": "filesystem-extracted"},
        resources_location_fallback = "filesystem-extracted",
    )
    relocation_test(
        name = "relocation_reads_the_binary_policy_file_test",
        target_under_test = ":relocating_to_extracted",
        move_fallback = True,
        policy = json.encode({
            "resource_locations": ["json=filesystem-extracted"],
            "resources_location_fallback": "filesystem-extracted",
            "allow_in_memory_shared_library_loading": False,
        }),
    )
    py_oxidized_binary(
        name = "relocating_into_memory",
        tags = ["manual"],
        main = "prog.py",
        allow_in_memory_shared_library_loading = True,
    )
    relocation_test(
        name = "relocation_into_memory_keeps_the_default_fallback_test",
        target_under_test = ":relocating_into_memory",
        move_fallback = False,
        policy = json.encode({
            "resource_locations": [],
            "resources_location_fallback": "filesystem-relative:lib",
            "allow_in_memory_shared_library_loading": True,
        }),
    )
    py_oxidized_binary(
        name = "not_relocating",
        tags = ["manual"],
        main = "prog.py",
    )
    relocation_test(
        name = "default_policy_does_not_relocate_test",
        target_under_test = ":not_relocating",
        relocates = False,
    )
    native.test_suite(name = name, tests = [
        "relocation_reads_the_binary_policy_file_test",
        "relocation_into_memory_keeps_the_default_fallback_test",
        "default_policy_does_not_relocate_test",
    ])
