"""Analysis tests of py_oxidized_binary's interpreter settings (skylib analysistest)."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("//oxidizer:defs.bzl", "py_oxidized_binary")
load(":testing.bzl", "ActionsInfo", "failure_test", "make_analysis_test", "tool_args")

def _embed_action(env):
    for action in env.ctx.attr.target_under_test[ActionsInfo].actions:
        if action.mnemonic == "OxidizerEmbedConfig":
            return action
    return None

def _settings_file(env):
    """The settings file the binary's build writes, decoded; None when absent."""
    for action in env.ctx.attr.target_under_test[ActionsInfo].actions:
        outputs = action.outputs.to_list()
        if len(outputs) == 1 and outputs[0].basename.endswith(".interpreter_settings.json"):
            return json.decode(action.content)
    return None

def _embed_flags_test_impl(ctx):
    env = analysistest.begin(ctx)
    action = _embed_action(env)
    asserts.true(env, action != None, "no OxidizerEmbedConfig action")
    if action == None:
        return analysistest.end(env)
    argv = tool_args(action)
    for flag in ctx.attr.flags:
        asserts.true(env, flag in argv, "embed argv lacks %r: %s" % (flag, argv))
    for prefix in ctx.attr.absent:
        found = [a for a in argv if a.startswith(prefix)]
        asserts.false(env, found, "embed argv has %r: %s" % (found, argv))
    settings_file = _settings_file(env)
    asserts.true(env, settings_file != None, "no interpreter settings file written")
    if settings_file != None:
        settings_arg = [a for a in argv if a.startswith("--settings=") and a.endswith(".interpreter_settings.json")]
        asserts.true(env, len(settings_arg) == 1, "embed argv lacks --settings=FILE: %s" % argv)
        for key, value in json.decode(ctx.attr.settings).items():
            asserts.equals(env, value, settings_file["settings"].get(key, "<missing>"), "setting " + key)
        for key in ctx.attr.absent_settings:
            asserts.false(env, key in settings_file["settings"], "the runtime does not take setting " + key)
    outputs = [f.basename for f in action.outputs.to_list()]
    for name in ctx.attr.outputs:
        asserts.true(env, name in outputs, "embed action does not write %r: %s" % (name, outputs))
    return analysistest.end(env)

embed_flags_test = make_analysis_test(
    _embed_flags_test_impl,
    attrs = {
        "flags": attr.string_list(),
        "absent": attr.string_list(doc = "Flag prefixes (`--mapped_name=`) no embed argument may start with."),
        "settings": attr.string(default = "{}", doc = "JSON object: settings the file must hold, with these values."),
        "absent_settings": attr.string_list(),
        "outputs": attr.string_list(),
    },
)

# name -> (extra attributes of the binary, expected message)
BAD_SETTINGS = {
    "no_importer_at_all": (
        {"oxidized_importer": False, "run_module": "m"},
        "attribute oxidized_importer: False needs filesystem_importer = True or module_search_paths",
    ),
    "hash_seed_missing": (
        {"use_hash_seed": True, "run_module": "m"},
        "attribute use_hash_seed: True needs hash_seed",
    ),
    "hash_seed_negative": (
        {"hash_seed": -5, "run_module": "m"},
        "attribute hash_seed: -5 must be between -1 and 2147483647",
    ),
    "stdio_errors_unknown": (
        {"stdio_errors": "explode", "run_module": "m"},
        "attribute stdio_errors: \"explode\" is not one of \"\", \"strict\"",
    ),
    "stdio_encoding_bad": (
        {"stdio_encoding": "utf 8!", "run_module": "m"},
        "attribute stdio_encoding: \"utf 8!\" is not a codec name",
    ),
    "warn_option_action": (
        {"warn_options": ["explode::DeprecationWarning"], "run_module": "m"},
        "attribute warn_options: \"explode::DeprecationWarning\": unknown action \"explode\"",
    ),
    "warn_option_fields": (
        {"warn_options": ["error:a:b:c:1:extra"], "run_module": "m"},
        "attribute warn_options: \"error:a:b:c:1:extra\" has more than 5",
    ),
    "x_option_bad": (
        {"x_options": ["=value"], "run_module": "m"},
        "attribute x_options: \"=value\" is not NAME or NAME=VALUE",
    ),
    "modules_env_bad": (
        {"write_modules_directory_env": "1-BAD", "run_module": "m"},
        "attribute write_modules_directory_env: \"1-BAD\" is not an environment variable name",
    ),
    "terminfo_bad": (
        {"terminfo_resolution": "static:", "run_module": "m"},
        "attribute terminfo_resolution: invalid value \"static:\"",
    ),
    "raw_allocator_jemalloc": (
        {"raw_allocator": "jemalloc", "run_module": "m"},
        "attribute raw_allocator: \"jemalloc\" is not available",
    ),
    "load_mode_unknown": (
        {"packed_resources_load_mode": "on-disk", "run_module": "m"},
        "attribute packed_resources_load_mode: invalid mode \"on-disk\"",
    ),
    "load_mode_bad_file": (
        {"packed_resources_load_mode": "binary-relative-memory-mapped:../x.pypacked", "run_module": "m"},
        "attribute packed_resources_load_mode: FILE \"../x.pypacked\" must be a normalized relative path",
    ),
    "load_mode_none_without_filesystem": (
        {"packed_resources_load_mode": "none", "run_module": "m"},
        "attribute packed_resources_load_mode: 'none' needs filesystem_importer = True",
    ),
    "main_without_packed_resources": (
        {"packed_resources_load_mode": "none", "filesystem_importer": True, "main": "prog.py"},
        "attribute packed_resources_load_mode: main runs the embedded bytecode",
    ),
    "verbose_negative": (
        {"verbose": -3, "run_module": "m"},
        "attribute verbose: -3 must be >= -1",
    ),
    "tracemalloc_negative": (
        {"tracemalloc": -2, "run_module": "m"},
        "attribute tracemalloc: -2 must be >= -1",
    ),
    "tristate_out_of_range": (
        {"utf8_mode": 2, "run_module": "m"},
        "attribute utf8_mode: 2 is not one of -1, 0, 1",
    ),
    "bytes_warning_unknown": (
        {"bytes_warning": "loud", "run_module": "m"},
        "attribute bytes_warning: \"loud\" is not one of \"none\", \"warn\", \"raise\"",
    ),
    "optimization_level_3": (
        {"optimization_level": 3, "run_module": "m"},
        "attribute optimization_level: 3 is not one of 0, 1, 2",
    ),
    "newline_in_setting": (
        {"x_options": ["a\nb"], "run_module": "m"},
        "attribute x_options: \"a\\nb\" contains a line break or NUL",
    ),
    "spawn_without_dispatch": (
        {"multiprocessing_start_method": "spawn", "multiprocessing_auto_dispatch": False, "run_module": "m"},
        "attribute multiprocessing_start_method: \"spawn\" re-executes the binary",
    ),
    "two_run_modes": (
        {"run_repl": True, "run_file": "x.py"},
        "set exactly one of main, run_module, run_command, entry_point (got run_file, run_repl), or one of run_file, run_repl instead",
    ),
    "location_bad": (
        {"resources_location": "filesystem-extracted:lib", "run_module": "m"},
        "attribute resources_location: invalid location \"filesystem-extracted:lib\": expected " +
        "'in-memory', 'filesystem-relative:PREFIX' or 'filesystem-extracted'",
    ),
    "resource_location_bad": (
        {"resource_locations": {"mypkg": "extracted"}, "run_module": "m"},
        "attribute resource_locations: pattern \"mypkg\": invalid location \"extracted\"",
    ),
    # The level itself is named, not the missing level 0 of optimization_level.
    "bytecode_optimize_level_3": (
        {"bytecode_optimize_levels": [3], "run_module": "m"},
        "attribute bytecode_optimize_levels: 3 is not 0, 1 or 2",
    ),
    "module_search_path_empty": (
        {"module_search_paths": [""], "run_module": "m"},
        "attribute module_search_paths: empty entry",
    ),
}

def interpreter_config_test_suite(name):
    """Declares every analysis test of this file and a test_suite `name` running them.

    Args:
      name: the test_suite's name.
    """
    tests = []
    for case, (attrs, message) in BAD_SETTINGS.items():
        kwargs = dict(attrs)
        py_oxidized_binary(name = "bad_" + case, tags = ["manual"], **kwargs)
        failure_test(
            name = case + "_test",
            target_under_test = ":bad_" + case,
            message = message,
        )
        tests.append(case + "_test")

    py_oxidized_binary(
        name = "configured",
        tags = ["manual"],
        run_module = "m",
        config_profile = "python",
        sys_meipass = True,
        argvb = True,
        module_search_paths = ["$ORIGIN/lib"],
        bytes_warning = "raise",
        buffered_stdio = 0,
        utf8_mode = 1,
        development_mode = 1,
        quiet = 1,
        verbose = 2,
        hash_seed = 42,
        stdio_encoding = "latin-1",
        stdio_errors = "backslashreplace",
        warn_options = ["error::DeprecationWarning"],
        x_options = ["faulthandler", "frozen_modules=off"],
        check_hash_pycs_mode = "always",
        write_modules_directory_env = "MODULES_DIR",
        terminfo_resolution = "static:/usr/share/terminfo:/etc/terminfo",
        allocator = "malloc",
        multiprocessing_start_method = "spawn",
        tracemalloc = 5,
    )
    embed_flags_test(
        name = "configured_flags_test",
        target_under_test = ":configured",
        flags = ["--run_mode=module"],
        settings = json.encode({
            "config_profile": "python",
            "sys_meipass": True,
            "argvb": True,
            "filesystem_importer": True,  # implied by module_search_paths
            "module_search_paths": ["$ORIGIN/lib"],
            "bytes_warning": "raise",
            "buffered_stdio": 0,
            "utf8_mode": 1,
            "development_mode": 1,
            "quiet": 1,
            "verbose": 2,
            "hash_seed": 42,
            "stdio_encoding": "latin-1",
            "stdio_errors": "backslashreplace",
            "warn_options": ["error::DeprecationWarning"],
            "x_options": ["faulthandler", "frozen_modules=off"],
            "check_hash_pycs_mode": "always",
            "write_modules_directory_env": "MODULES_DIR",
            "terminfo_resolution": "static:/usr/share/terminfo:/etc/terminfo",
            "allocator": "malloc",
            "multiprocessing_start_method": "spawn",
            "tracemalloc": 5,
            "inspect": -1,
        }),
    )
    tests.append("configured_flags_test")

    py_oxidized_binary(name = "defaults", tags = ["manual"], run_module = "m")
    embed_flags_test(
        name = "defaults_flags_test",
        target_under_test = ":defaults",
        settings = json.encode({
            "config_profile": "isolated",
            "sys_meipass": False,
            "oxidized_importer": True,
            "filesystem_importer": False,
            "argvb": False,
            "bytes_warning": "none",
            "multiprocessing_auto_dispatch": True,
            "tls_ca_probe": True,
            "buffered_stdio": -1,
            "utf8_mode": -1,
            "hash_seed": -1,
            "module_search_paths": [],
        }),
        # Settings the build consumes never reach the runtime.
        absent_settings = ["raw_allocator", "packed_resources_load_mode"],
        # Embedded blobs: no mapped file.
        absent = ["--mapped_name=", "--mapped_output="],
    )
    tests.append("defaults_flags_test")

    # filesystem-extracted is a valid location everywhere a location is accepted.
    py_oxidized_binary(
        name = "extracted",
        tags = ["manual"],
        run_module = "m",
        resources_location = "filesystem-extracted",
        resources_location_fallback = "filesystem-extracted",
        resource_locations = {"mypkg": "filesystem-extracted"},
    )
    embed_flags_test(
        name = "extracted_flags_test",
        target_under_test = ":extracted",
        flags = ["--run_mode=module"],
    )
    tests.append("extracted_flags_test")

    py_oxidized_binary(
        name = "mapped",
        tags = ["manual"],
        run_repl = True,
        packed_resources_load_mode = "binary-relative-memory-mapped:mapped.pypacked",
    )
    embed_flags_test(
        name = "mapped_flags_test",
        target_under_test = ":mapped",
        flags = ["--run_mode=repl", "--mapped_name=mapped.pypacked"],
        outputs = ["mapped.oxidizer_config.c", "mapped.pypacked"],
    )
    tests.append("mapped_flags_test")

    py_oxidized_binary(
        name = "file_mode",
        tags = ["manual"],
        run_file = "$ORIGIN/scripts/run.py",
        packed_resources_load_mode = "none",
        filesystem_importer = True,
        oxidized_importer = False,
    )
    embed_flags_test(
        name = "file_mode_flags_test",
        target_under_test = ":file_mode",
        flags = ["--run_mode=file", "--run_target=$ORIGIN/scripts/run.py"],
        settings = json.encode({"oxidized_importer": False, "filesystem_importer": True}),
        # packed_resources_load_mode = "none": neither blobs nor a mapped file.
        absent = ["--mapped_name=", "--mapped_output=", "--blob="],
    )
    tests.append("file_mode_flags_test")

    native.test_suite(name = name, tests = tests)
