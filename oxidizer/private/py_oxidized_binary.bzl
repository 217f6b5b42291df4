"""The py_oxidized_binary rule: one native executable embedding CPython and the app."""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")
load("@rules_cc//cc/common:cc_common.bzl", "cc_common")
load("@rules_cc//cc/common:cc_info.bzl", "CcInfo")
load(":actions.bzl", "needs_relocation", "oxidize_resources", "param_args", "relocated_group", "resource_location_arg", "write_policy_file")
load(":interpreter_config.bzl", "INTERPRETER_ATTRS", "check_interpreter_config", "packed_resources_mapped_file", "uses_filesystem_importer", "write_interpreter_settings")
load(":merge_attrs.bzl", "merge_attrs")
load(":oxidized_resources.bzl", "collect_python_inputs")
load(":policy.bzl", "BINARY", "check_policy", "policy_attrs", "policy_from_attrs")
load(":providers.bzl", "OxidizedResourcesInfo", "PythonDistributionInfo")
load(":py_tool.bzl", "py_tool", "run_py_tool")
load(":third_party.bzl", "ThirdPartyGroupsInfo", "third_party_aspect")
load(":tools.bzl", "TOOL_ATTRS", "distribution_attr", "tool_attr", "tools_struct")

def _check_run_mode(ctx):
    check_interpreter_config(ctx)
    modes = [m for m in ["main", "run_module", "run_command", "entry_point", "run_file", "run_repl"] if getattr(ctx.attr, m)]
    if len(modes) != 1:
        fail("%s: set exactly one of main, run_module, run_command, entry_point (got %s), or one of run_file, run_repl instead" % (
            ctx.label,
            ", ".join(modes) if modes else "none",
        ))
    if ctx.attr.run_module and not _is_module_name(ctx.attr.run_module):
        fail("%s: run_module %r is not a dotted module name" % (ctx.label, ctx.attr.run_module))
    if ctx.attr.optimization_level not in ctx.attr.bytecode_optimize_levels:
        fail("%s: optimization_level %d needs bytecode at that level: add it to bytecode_optimize_levels" % (
            ctx.label,
            ctx.attr.optimization_level,
        ))

def _check_group(ctx, dist, label, group):
    """A resource group must match the distribution and have the binary's bytecode level."""
    if group.magic_number_hex != dist.magic_number_hex:
        fail("%s: %s was compiled for bytecode magic %s but the distribution %s has %s" % (
            ctx.label,
            label,
            group.magic_number_hex,
            ctx.attr.distribution.label,
            dist.magic_number_hex,
        ))
    if ctx.attr.optimization_level not in group.optimize_levels:
        fail(("%s: optimization_level %d needs bytecode at that level, but %s has only levels %s; " +
              "give it bytecode_optimize_levels including %d (for the stdlib: your own " +
              "oxidized_resources(stdlib = True) passed as `stdlib`)") % (
            ctx.label,
            ctx.attr.optimization_level,
            label,
            group.optimize_levels,
            ctx.attr.optimization_level,
        ))

def _is_entry_points_file(f):
    return f.basename == "entry_points.txt" and f.dirname.endswith(".dist-info")

def _embed_config(ctx, groups, app, inputs_of_deps):
    """Generates the config C file; returns (config_c, blobs to .incbin, mapped packed file or None)."""
    config_c = ctx.actions.declare_file(ctx.label.name + ".oxidizer_config.c")
    outputs = [config_c]
    args = param_args(ctx.actions)
    args.add(config_c, format = "--output=%s")
    inputs = []
    if ctx.attr.main:
        inputs.append(app.manifest)
        args.add("main", format = "--run_mode=%s")
        args.add(app.manifest, format = "--main_manifest=%s")
    elif ctx.attr.run_module:
        args.add("module", format = "--run_mode=%s")
        args.add(ctx.attr.run_module, format = "--run_target=%s")
    elif ctx.attr.run_file:
        args.add("file", format = "--run_mode=%s")
        args.add(ctx.attr.run_file, format = "--run_target=%s")
    elif ctx.attr.run_repl:
        args.add("repl", format = "--run_mode=%s")
    elif ctx.attr.entry_point:
        entry_points_files = [f for f in inputs_of_deps.to_list() if _is_entry_points_file(f)]
        inputs += entry_points_files
        args.add(ctx.attr.entry_point, format = "--entry_point=%s")
        args.add_all(entry_points_files, format_each = "--entry_points_file=%s")
    else:
        # Through a file: a command may span lines, which a multiline param file cannot hold.
        command = ctx.actions.declare_file(ctx.label.name + ".run_command.py")
        ctx.actions.write(command, ctx.attr.run_command)
        inputs.append(command)
        args.add("command", format = "--run_mode=%s")
        args.add(command, format = "--run_target_file=%s")

    # packed_resources_load_mode: embedded (.incbin), a memory-mapped file next to the
    # executable, or none.
    mode = ctx.attr.packed_resources_load_mode
    mapped_name = packed_resources_mapped_file(ctx)
    mapped = None
    incbin = []
    if mode == "embedded":
        incbin = [g.packed for _, g in groups]
        for name, group in groups:
            args.add("--blob=%s=%s" % (name, group.packed.path))
    elif mapped_name:
        mapped = ctx.actions.declare_file(mapped_name)
        outputs.append(mapped)
        inputs += [g.packed for _, g in groups]
        for name, group in groups:
            args.add("--blob=%s=%s" % (name, group.packed.path))
        args.add(mapped, format = "--mapped_output=%s")
        args.add(mapped_name, format = "--mapped_name=%s")

    # Checks that need every group's manifest: the run_module is embedded (unless the
    # filesystem importer may provide it), and each resource_locations pattern matches.
    args.add(str(ctx.label), format = "--target=%s")
    check_run_module = bool(ctx.attr.run_module) and not uses_filesystem_importer(ctx)
    if check_run_module or ctx.attr.resource_locations:
        inputs += [g.manifest for _, g in groups]
        args.add_all([g.manifest for _, g in groups], format_each = "--manifest=%s")
        args.add_all(sorted(ctx.attr.resource_locations.items()), map_each = resource_location_arg)
    if check_run_module:
        dist = ctx.attr.distribution[PythonDistributionInfo]
        args.add("--check_run_module")
        args.add_all(dist.builtin_modules + dist.frozen_modules, format_each = "--builtin_module=%s")
    settings = write_interpreter_settings(ctx)
    inputs.append(settings)
    args.add(settings, format = "--settings=%s")
    args.add_all(_ext_module_names(ctx), format_each = "--builtin_extension=%s")
    args.add_all(ctx.attr.stdlib[OxidizedResourcesInfo].excluded_builtins, format_each = "--exclude_builtin=%s")

    # A libpython whose extension modules link separately: the binary's own inittab names
    # the modules linked in (those a keep-list leaves out are not).
    inittab = ctx.attr.distribution[PythonDistributionInfo].inittab
    if inittab:
        inputs.append(inittab)
        args.add(inittab, format = "--inittab=%s")
        if ctx.file.modules_keep_list:
            inputs.append(ctx.file.modules_keep_list)
            args.add(ctx.file.modules_keep_list, format = "--modules_keep_list=%s")

    # The licences of the distribution and of the runtime go into a non-allocated ELF
    # section (`oxidizer licenses`).
    licenses = [ctx.attr.distribution[PythonDistributionInfo].licenses] if ctx.attr.distribution[PythonDistributionInfo].licenses else []
    licenses += ctx.files._runtime_licenses
    inputs += licenses
    args.add_all(licenses, format_each = "--licenses=%s")
    args.add(ctx.label.name + "_lib", format = "--relative_path_origin=%s")
    run_py_tool(
        ctx.actions,
        py_tool(ctx.attr._embed),
        arguments = [args],
        inputs = inputs,
        outputs = outputs,
        mnemonic = "OxidizerEmbedConfig",
        progress_message = "Generating the embedded config of %s" % ctx.label,
    )
    return config_c, incbin, mapped

def _install(ctx, groups):
    """Copies filesystem-relative resources into `<name>_lib/` next to the executable."""
    lib_dir = ctx.actions.declare_directory(ctx.label.name + "_lib")
    args = param_args(ctx.actions)
    args.add(lib_dir.path, format = "--output_directory=%s")
    args.add_all([g.manifest for _, g in groups], format_each = "--manifest=%s")
    run_py_tool(
        ctx.actions,
        py_tool(ctx.attr._install),
        arguments = [args],
        inputs = depset([g.manifest for _, g in groups], transitive = [g.installable for _, g in groups]),
        outputs = [lib_dir],
        mnemonic = "OxidizerInstall",
        progress_message = "Installing filesystem-relative resources of %s" % ctx.label,
    )
    return lib_dir

# ASCII characters that cannot be part of a Python identifier. Bazel 4 holds strings as
# Latin-1 bytes of their UTF-8 text, so non-ASCII names (`café`) are checked by the tools.
_NOT_IN_IDENTIFIERS = " !\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~\t\n\r"

def _is_module_name(name):
    for part in name.split("."):
        if not part or part[0].isdigit():
            return False
        for c in part.elems():
            if c in _NOT_IN_IDENTIFIERS:
                return False
    return True

def _ext_module_names(ctx):
    """Module names of `ext_modules`, validated: dotted identifiers, unique init symbols."""
    dist = ctx.attr.distribution[PythonDistributionInfo]
    names = []
    symbols = {}
    for target, name in ctx.attr.ext_modules.items():
        if not _is_module_name(name):
            fail("%s: ext_modules: %r (from %s) is not a module name" % (ctx.label, name, target.label))
        if name in names:
            fail("%s: ext_modules: module %r is given twice" % (ctx.label, name))
        if name in dist.builtin_modules:
            fail("%s: ext_modules: %r is already a built-in module of the distribution" % (ctx.label, name))
        symbol = "PyInit_" + name.split(".")[-1]
        if symbol in symbols:
            fail("%s: ext_modules: %r and %r both need the symbol %s" % (ctx.label, symbols[symbol], name, symbol))
        symbols[symbol] = name
        names.append(name)
    return sorted(names)

def _strips(ctx):
    """Whether the link omits the symbol table (`strip`; `auto`: in `-c opt` builds)."""
    if ctx.attr.strip == "auto":
        return ctx.var["COMPILATION_MODE"] == "opt"
    return ctx.attr.strip == "always"

def _link(ctx, dist, config_c, blobs):
    cc_toolchain = find_cpp_toolchain(ctx)
    feature_configuration = cc_common.configure_features(
        ctx = ctx,
        cc_toolchain = cc_toolchain,
        requested_features = ctx.features,
        unsupported_features = ctx.disabled_features,
    )
    _, compilation_outputs = cc_common.compile(
        name = ctx.label.name + ".oxidizer",
        actions = ctx.actions,
        feature_configuration = feature_configuration,
        cc_toolchain = cc_toolchain,
        srcs = [config_c],
        compilation_contexts = [dist.runtime.compilation_context],
        additional_inputs = blobs,
        user_compile_flags = ["-std=c11"],
    )
    linking_outputs = cc_common.link(
        name = ctx.label.name,
        actions = ctx.actions,
        feature_configuration = feature_configuration,
        cc_toolchain = cc_toolchain,
        compilation_outputs = compilation_outputs,
        # ext_modules last: their PyInit_ symbols are referenced by the config object.
        linking_contexts = [dist.runtime.linking_context] + [
            target[CcInfo].linking_context
            for target in ctx.attr.ext_modules
        ],
        output_type = "executable",
        link_deps_statically = True,
        stamp = 0,
        # Lazy binding: the toolchain's `-z now` resolves every libc/libm symbol libpython
        # references at start, most of which a run never calls (1.6% of a hello's instructions).
        # A position-dependent executable has no R_X86_64_RELATIVE relocations for ld.so to
        # apply at every start (68k for hello, each dirtying a page of type objects and
        # method tables): fewer instructions, copy-on-write faults and RSS, as Debian's own
        # non-PIE python3.11. Stripping keeps the dynamic symbol table (extension modules bind
        # to the Python API through it) and non-allocated sections such as
        # .rules_oxidizer.licenses.
        user_link_flags = ["-Wl,-z,lazy"] + ([] if ctx.attr.pie else ["-no-pie"]) + (["-Wl,--strip-all"] if _strips(ctx) else []),
    )
    return linking_outputs.executable

def _third_party_groups(deps):
    """(groups sorted by label, their files) of the third-party libraries below `deps`."""
    infos = [dep[ThirdPartyGroupsInfo] for dep in deps if ThirdPartyGroupsInfo in dep]
    groups = {}
    for group in depset(transitive = [i.groups for i in infos]).to_list():
        groups[group.label] = group.info
    files = depset(transitive = [i.files for i in infos])
    return [(label, groups[label]) for label in sorted(groups)], files

def _py_oxidized_binary_impl(ctx):
    # The policy first: `bytecode_optimize_levels = [3]` is reported as such, not as the
    # missing level of `optimization_level`.
    check_policy(ctx)
    _check_run_mode(ctx)
    dist = ctx.attr.distribution[PythonDistributionInfo]
    policy = policy_from_attrs(ctx.attr)
    tools = tools_struct(ctx)
    stdlib = ctx.attr.stdlib[OxidizedResourcesInfo]

    all_files, roots = collect_python_inputs(ctx.attr.deps)
    third_party, third_party_files = _third_party_groups(ctx.attr.deps)

    # Groups the binary shares with others: third-party libraries, extra groups, the
    # standard library. Searched after the app, in this order.
    shared = third_party + [(str(t.label), t[OxidizedResourcesInfo]) for t in ctx.attr.resources]
    shared.append(("stdlib", stdlib))
    checked = [(t.label, t[OxidizedResourcesInfo]) for t in ctx.attr.resources + [ctx.attr.stdlib, ctx.attr._support]]
    checked += [(label, group) for label, group in third_party]
    for label, group in checked:
        _check_group(ctx, dist, label, group)

    # The binary's policy file: read by the app group's classify action and by the pack
    # actions of the shared groups it relocates.
    policy_file = write_policy_file(ctx.actions, ctx.label.name + ".app", policy, dist)
    keep_list = ctx.file.modules_keep_list
    if needs_relocation(policy, keep_list):
        shared = [
            (name, relocated_group(ctx.actions, ctx.label, "%s.shared%d" % (ctx.label.name, index), policy, policy_file, group, dist, tools, keep_list))
            for index, (name, group) in enumerate(shared)
        ]

    # The app group: everything in deps that no third-party group packs.
    files = all_files
    if third_party:
        skip = {f: None for f in third_party_files.to_list()}
        files = depset([f for f in all_files.to_list() if f not in skip])
    main = ctx.file.main
    files = depset([main] if main else [], transitive = [files])
    app = oxidize_resources(
        ctx.actions,
        ctx.label,
        ctx.workspace_name,
        policy,
        ctx.label.name + ".app",
        files,
        roots.to_list(),
        dist,
        tools,
        main = main,
        builtin_extensions = _ext_module_names(ctx),
        policy_file = policy_file,
    )

    # The runtime's Python support code (loaded lazily by oxidized_importer for its colder
    # APIs) goes before the stdlib; it has no shared objects to move.
    groups = [(str(ctx.label), app)] + shared[:-1]
    groups.append((str(ctx.attr._support.label), ctx.attr._support[OxidizedResourcesInfo]))
    groups.append(shared[-1])

    config_c, incbin, mapped = _embed_config(ctx, groups, app, all_files)
    lib_dir = _install(ctx, groups)
    executable = _link(ctx, dist, config_c, incbin)
    shipped = [lib_dir] + ([mapped] if mapped else [])
    return [
        DefaultInfo(
            executable = executable,
            files = depset([executable] + shipped),
            runfiles = ctx.runfiles(files = shipped),
        ),
        OutputGroupInfo(
            packed_resources = depset([g.packed for _, g in groups]),
            manifests = depset([g.manifest for _, g in groups]),
        ),
    ]

py_oxidized_binary = rule(
    implementation = _py_oxidized_binary_impl,
    doc = """A single native executable: statically linked CPython + standard library + your code.

Modules are imported from memory by the built-in `oxidized_importer.OxidizedFinder`.
The output is `bazel-bin/<package>/<name>`; resources that cannot live in memory (the
distribution's shared-library extension modules) are installed in `<name>_lib/` next to it.

```
load("@rules_oxidizer//oxidizer:defs.bzl", "py_oxidized_binary")

py_oxidized_binary(
    name = "bin",
    main = "main.py",        # or run_module = "app.cli", or run_command = "..."
    deps = [":lib"],
)
```""",
    executable = True,
    fragments = ["cpp"],
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
    incompatible_use_toolchain_transition = True,
    attrs = merge_attrs(policy_attrs(BINARY), TOOL_ATTRS, INTERPRETER_ATTRS, {
        "main": attr.label(
            allow_single_file = [".py"],
            doc = "The script run as `__main__` (like `python main.py`; `__spec__` is None).",
        ),
        "run_module": attr.string(
            doc = "A module run like `python -m MODULE` (through runpy).",
        ),
        "run_command": attr.string(
            doc = "Python source run like `python -c COMMAND`.",
        ),
        "deps": attr.label_list(
            aspects = [third_party_aspect],
            doc = "`py_library` targets: their transitive sources, data files and `imports` roots. " +
                  "Libraries of other repositories (PyPI wheels from `oxidizer_pip_parse` or " +
                  "rules_python's `pip.parse`) are third-party: each is packed once as its own group, " +
                  "shared by every binary, with `include_test = False`; this binary's " +
                  "`resource_locations` and `allow_in_memory_shared_library_loading` still apply to them.",
        ),
        "entry_point": attr.string(
            doc = "The name of a `console_scripts` (or `gui_scripts`) entry point of a distribution in " +
                  "`deps` (`black`), run as its installed script would be: `sys.argv[0]` is the binary's path.",
        ),
        "resources": attr.label_list(
            providers = [OxidizedResourcesInfo],
            doc = "Extra `oxidized_resources` groups, searched after the app and before the stdlib.",
        ),
        "distribution": distribution_attr("The Python distribution to embed (`oxidizer_python_distribution`)."),
        "stdlib": attr.label(
            default = Label("//oxidizer:stdlib"),
            providers = [OxidizedResourcesInfo],
            doc = "The standard library group; must come from the same distribution.",
        ),
        "ext_modules": attr.label_keyed_string_dict(
            providers = [CcInfo],
            doc = "C extension modules compiled by Bazel and linked into the executable as built-ins: " +
                  "`{\"//native:speedups\": \"_speedups\"}` maps a `cc_library` defining " +
                  "`PyInit__speedups` to the module name `_speedups`. Dotted names (`pkg._speedups`) " +
                  "work too: the init symbol is `PyInit_` + the last component.",
        ),
        "modules_keep_list": attr.label(
            allow_single_file = True,
            doc = "A keep-list for trimming: a file with one module name per line (`#` comments), " +
                  "e.g. the union of the files a training run with `write_modules_directory_env` " +
                  "writes. The shared groups (the standard library, third-party libraries, " +
                  "`resources`) are repacked with only those modules, the packages above them and " +
                  "those packages' data files; `.dist-info` metadata, File resources and shared " +
                  "libraries stay. With a distribution built from source, the built-in extension " +
                  "modules it does not name (`_ssl`, `_sqlite3`, ...) are not linked either. " +
                  "The app's own modules are never trimmed. A module the training " +
                  "run did not import is then missing: see the user guide, \"Trimming\".",
        ),
        "strip": attr.string(
            default = "auto",
            values = ["auto", "always", "never"],
            doc = "Link without the symbol table and debug information (`ld --strip-all`): " +
                  "`auto` strips in `-c opt` builds (the default of this workspace's `.bazelrc`), " +
                  "`always`, `never`. The dynamic symbols that extension modules bind to and the " +
                  "`.rules_oxidizer.licenses` section stay; stack traces of native crashes " +
                  "(gdb, perf) lose function names. About 2 MB.",
        ),
        "pie": attr.bool(
            default = False,
            doc = "Link a position-independent executable (loaded at a random address: ASLR for the " +
                  "executable's own code and data). Off by default, as Debian's and Ubuntu's `python3` " +
                  "are: a position-dependent executable starts without applying ~68,000 relocations to " +
                  "CPython's static data, which measured 4% fewer instructions, 20% fewer page faults and " +
                  "3 MB less RSS for a hello-world, and is 1.6 MB smaller. Shared libraries and the heap " +
                  "are randomized either way.",
        ),
        "_runtime_licenses": attr.label(default = Label("//runtime:licenses"), allow_files = True),
        "_support": attr.label(
            default = Label("//runtime/python:support"),
            providers = [OxidizedResourcesInfo],
        ),
        "_embed": tool_attr("//tools:embed"),
        "_install": tool_attr("//tools:install"),
        "_cc_toolchain": attr.label(default = Label("@bazel_tools//tools/cpp:current_cc_toolchain")),
    }),
)
