"""Analysis tests: every fail() of the rules, with its whole message (label included).

The checks of interpreter settings are in interpreter_config_test.bzl; this file covers the
rest: run modes, policy attributes, locations, resource groups, distributions, ext_modules.
Each case declares a target that must fail analysis and a failure_test asserting the message.
"""

load("@rules_cc//cc:defs.bzl", "cc_library")
load("@rules_python//python:defs.bzl", "py_test")
load("//oxidizer:defs.bzl", "PythonDistributionInfo", "oxidized_resources", "py_oxidized_binary")
load("//tools:protoc.bzl", "py_proto_source")
load(":interpreter_config_test.bzl", "BAD_SETTINGS")
load(":testing.bzl", "failure_test")

_PKG = "//tests/analysis"

def _changed_distribution_impl(ctx):
    info = ctx.attr.distribution[PythonDistributionInfo]
    fields = {k: getattr(info, k) for k in dir(info) if k not in ("to_json", "to_proto")}
    fields.update(json.decode(ctx.attr.overrides))
    return [PythonDistributionInfo(**fields), ctx.attr.distribution[DefaultInfo]]

# A real distribution with some fields replaced (a distribution of another Python version, as
# far as the rules can tell), without loading the private python_distribution rule.
_changed_distribution = rule(
    implementation = _changed_distribution_impl,
    attrs = {
        "distribution": attr.label(default = "//oxidizer:distribution", providers = [PythonDistributionInfo]),
        "overrides": attr.string(doc = "JSON object: PythonDistributionInfo fields to replace."),
    },
)

def _messages_file_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".json")
    ctx.actions.write(out, json.encode(ctx.attr.messages))
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles([out]))]

# The messages the analysis tests assert, as a JSON list: what the user guide may quote.
_messages_file = rule(
    implementation = _messages_file_impl,
    attrs = {"messages": attr.string_list()},
)

# name -> (rule, attributes of the failing target, message after "<label>: ")
FAILURES = {
    # py_oxidized_binary.bzl: run modes.
    "no_entry_point": (
        py_oxidized_binary,
        {},
        "set exactly one of main, run_module, run_command, entry_point (got none), or one of run_file, run_repl instead",
    ),
    "two_entry_points": (
        py_oxidized_binary,
        {"main": "prog.py", "run_module": "m"},
        "set exactly one of main, run_module, run_command, entry_point (got main, run_module), or one of run_file, run_repl instead",
    ),
    "run_module_not_dotted": (
        py_oxidized_binary,
        {"run_module": "app..cli"},
        "run_module \"app..cli\" is not a dotted module name",
    ),
    "optimization_level_without_bytecode": (
        py_oxidized_binary,
        {"run_module": "m", "optimization_level": 1},
        "optimization_level 1 needs bytecode at that level: add it to bytecode_optimize_levels",
    ),
    "group_without_the_level": (
        py_oxidized_binary,
        {"run_module": "m", "optimization_level": 1, "bytecode_optimize_levels": [0, 1], "resources": [":fail_group_level_0"]},
        "optimization_level 1 needs bytecode at that level, but %s:fail_group_level_0 has only levels [0]; " % _PKG +
        "give it bytecode_optimize_levels including 1 (for the stdlib: your own oxidized_resources(stdlib = True) passed as `stdlib`)",
    ),
    "stdlib_of_another_distribution": (
        py_oxidized_binary,
        {"main": "prog.py", "distribution": ":fail_dist_deadbeef"},
        "@oxidizer_python//:stdlib_resources was compiled for bytecode magic a70d0d0a but the distribution %s:fail_dist_deadbeef has deadbeef" % _PKG,
    ),
    # py_oxidized_binary.bzl: ext_modules.
    "ext_module_not_a_name": (
        py_oxidized_binary,
        {"run_command": "pass", "ext_modules": {":fail_ext_a": "pkg..x"}},
        "ext_modules: \"pkg..x\" (from %s:fail_ext_a) is not a module name" % _PKG,
    ),
    "ext_module_twice": (
        py_oxidized_binary,
        {"run_command": "pass", "ext_modules": {":fail_ext_a": "x._ext", ":fail_ext_b": "x._ext"}},
        "ext_modules: module \"x._ext\" is given twice",
    ),
    "ext_module_shadows_builtin": (
        py_oxidized_binary,
        {"run_command": "pass", "ext_modules": {":fail_ext_a": "math"}},
        "ext_modules: \"math\" is already a built-in module of the distribution",
    ),
    "ext_module_symbol_clash": (
        py_oxidized_binary,
        {"run_command": "pass", "ext_modules": {":fail_ext_a": "x._ext", ":fail_ext_b": "y._ext"}},
        "ext_modules: \"x._ext\" and \"y._ext\" both need the symbol PyInit__ext",
    ),
    # interpreter_config.bzl checks not in interpreter_config_test.bzl.
    "warn_option_lineno": (
        py_oxidized_binary,
        {"run_module": "m", "warn_options": ["error::Warning:m:x"]},
        "attribute warn_options: \"error::Warning:m:x\": lineno \"x\" is not a non-negative integer",
    ),
    "run_file_directory": (
        py_oxidized_binary,
        {"run_file": "scripts/"},
        "attribute run_file: \"scripts/\" names a directory",
    ),
    "run_file_newline": (
        py_oxidized_binary,
        {"run_file": "a\nb.py"},
        "attribute run_file: \"a\\nb.py\" contains a line break or NUL",
    ),
    "main_without_oxidized_importer": (
        py_oxidized_binary,
        {"main": "prog.py", "oxidized_importer": False, "filesystem_importer": True},
        "attribute oxidized_importer: main runs the embedded bytecode of the main file, which needs the " +
        "oxidized importer and packed resources; use run_module or run_file",
    ),
    # locations.bzl and actions.bzl's check_policy, through both rules.
    "location_on_disk": (
        py_oxidized_binary,
        {"main": "prog.py", "resources_location": "on-disk:lib"},
        "attribute resources_location: invalid location \"on-disk:lib\": expected 'in-memory', " +
        "'filesystem-relative:PREFIX' or 'filesystem-extracted'",
    ),
    "location_prefix_not_normalized": (
        py_oxidized_binary,
        {"main": "prog.py", "resources_location": "filesystem-relative:../lib"},
        "attribute resources_location: invalid location \"filesystem-relative:../lib\": PREFIX must be a normalized relative directory",
    ),
    "location_fallback_bad": (
        py_oxidized_binary,
        {"main": "prog.py", "resources_location_fallback": "filesystem-relative:"},
        "attribute resources_location_fallback: invalid location \"filesystem-relative:\": PREFIX must be a normalized relative directory",
    ),
    "resource_location_on_disk": (
        py_oxidized_binary,
        {"main": "prog.py", "resource_locations": {"mypkg.*": "on-disk:lib"}},
        "attribute resource_locations: pattern \"mypkg.*\": invalid location \"on-disk:lib\": expected " +
        "'in-memory', 'filesystem-relative:PREFIX' or 'filesystem-extracted'",
    ),
    "resource_location_empty_pattern": (
        oxidized_resources,
        {"srcs": ["prog.py"], "resource_locations": {"": "in-memory"}},
        "attribute resource_locations: a pattern must not be empty",
    ),
    "resource_location_pattern_with_equals": (
        oxidized_resources,
        {"srcs": ["prog.py"], "resource_locations": {"a=b": "in-memory"}},
        "attribute resource_locations: pattern \"a=b\" must not contain '='",
    ),
    "group_bytecode_level_3": (
        oxidized_resources,
        {"srcs": ["prog.py"], "bytecode_optimize_levels": [0, 3]},
        "attribute bytecode_optimize_levels: 3 is not 0, 1 or 2",
    ),
    "bytecode_levels_empty": (
        py_oxidized_binary,
        {"main": "prog.py", "bytecode_optimize_levels": []},
        "attribute bytecode_optimize_levels must not be empty",
    ),
    # oxidized_resources.bzl.
    "stdlib_group_with_srcs": (
        oxidized_resources,
        {"stdlib": True, "srcs": ["prog.py"]},
        "a stdlib group takes no deps or srcs",
    ),
    # tools/protoc.bzl (the tools' generated manifest code).
    "proto_out_misnamed": (
        py_proto_source,
        {"src": "//tools:proto/manifest.proto", "out": "manifest.py"},
        "out \"manifest.py\" must be named manifest_pb2.py (what protoc writes for manifest.proto)",
    ),
}

def rule_failures_test_suite(name):
    """Declares the failing targets, one failure_test per FAILURES entry, and a test_suite.

    Args:
      name: name of the test_suite.
    """
    oxidized_resources(name = "fail_group_level_0", srcs = ["prog.py"], tags = ["manual"])
    _changed_distribution(
        name = "fail_dist_deadbeef",
        overrides = json.encode({"magic_number_hex": "deadbeef"}),
        tags = ["manual"],
    )
    cc_library(name = "fail_ext_a", srcs = ["ext.c"], tags = ["manual"])
    cc_library(name = "fail_ext_b", srcs = ["ext.c"], tags = ["manual"])

    tests = []
    messages = []
    for case, (make_target, attrs, message) in FAILURES.items():
        make_target(name = "fail_" + case, tags = ["manual"], **attrs)
        message = "%s:fail_%s: %s" % (_PKG, case, message)
        failure_test(
            name = case + "_fails_test",
            target_under_test = ":fail_" + case,
            message = message,
        )
        tests.append(case + "_fails_test")
        messages.append(message)

    # Every message quoted in the user guide's table of analysis errors is one of these.
    _messages_file(
        name = "asserted_messages",
        messages = messages + [message for _, message in BAD_SETTINGS.values()],
    )
    py_test(
        name = "user_guide_messages_test",
        size = "small",
        srcs = ["user_guide_messages_test.py"],
        args = ["$(rootpath :asserted_messages)", "$(rootpath //docs:user-guide.md)"],
        data = [":asserted_messages", "//docs:user-guide.md"],
        python_version = "PY3",
    )
    tests.append("user_guide_messages_test")
    native.test_suite(name = name, tests = tests)
