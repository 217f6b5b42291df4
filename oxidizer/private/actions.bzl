"""Actions that classify, compile and pack one group of Python resources."""

load(":locations.bzl", "check_location")
load(":providers.bzl", "OxidizedResourcesInfo")

# Attributes shared by oxidized_resources and py_oxidized_binary (the packaging policy).
POLICY_ATTRS = {
    "resources_location": attr.string(
        default = "in-memory",
        doc = "Where resources go: `in-memory` (embedded, imported from memory) or " +
              "`filesystem-relative:PREFIX` (installed as files under `<binary name>_lib/PREFIX/` " +
              "next to the executable).",
    ),
    "resources_location_fallback": attr.string(
        default = "filesystem-relative:lib",
        doc = "Location for resources that cannot live at `resources_location` (shared-library " +
              "extension modules when the primary location is in-memory). Empty: such resources are an error.",
    ),
    "include_sources": attr.bool(
        default = True,
        doc = "Embed module source next to bytecode (for `inspect.getsource` and tracebacks).",
    ),
    "bytecode_optimize_levels": attr.int_list(
        default = [0],
        doc = "Bytecode optimization levels to compile: any of 0, 1, 2. The binary's " +
              "`optimization_level` picks which one is imported.",
    ),
    "include_test": attr.bool(
        default = False,
        doc = "Keep modules inside packages named `test`, `tests` or `idle_test` (the stdlib's test suites).",
    ),
    "excludes": attr.string_list(
        doc = "fnmatch patterns of module names to leave out, each with its submodules (`tkinter`, `*.tests`).",
    ),
}

def check_policy(ctx):
    check_location(ctx, "resources_location")
    check_location(ctx, "resources_location_fallback", allow_empty = True)
    for level in ctx.attr.bytecode_optimize_levels:
        if level not in (0, 1, 2):
            fail("%s: attribute bytecode_optimize_levels: %d is not 0, 1 or 2" % (ctx.label, level))
    if not ctx.attr.bytecode_optimize_levels:
        fail("%s: attribute bytecode_optimize_levels must not be empty" % ctx.label)

def _file_arg(f):
    return "--file=%s=%s" % (f.short_path, f.path)

def param_args(ctx):
    """An Args that always goes through a `--flagfile` param file (absl-py format)."""
    args = ctx.actions.args()
    args.use_param_file("--flagfile=%s", use_always = True)
    args.set_param_file_format("multiline")
    return args

def _is_extension(f, suffixes):
    for suffix in suffixes:
        if f.basename.endswith(suffix):
            return True
    return False

def oxidize_resources(ctx, name, files, import_roots, dist, tools, main = None):
    """Registers the classify, compile and pack actions of one resource group.

    Args:
      ctx: the rule context (policy attributes are read from it).
      name: prefix of the output files.
      files: depset[File] of inputs.
      import_roots: list of runfiles-relative import roots.
      dist: PythonDistributionInfo.
      tools: struct(classify, pack, bytecode_compiler).
      main: optional File run as `__main__`.

    Returns:
      OxidizedResourcesInfo.
    """
    check_policy(ctx)
    manifest = ctx.actions.declare_file(name + ".manifest.pb")
    compile_list = ctx.actions.declare_file(name + ".compile.json")
    bytecode = ctx.actions.declare_file(name + ".bytecode")
    packed = ctx.actions.declare_file(name + ".pyembed")
    target = str(ctx.label)

    args = param_args(ctx)
    args.add(target, format = "--target=%s")
    args.add(ctx.workspace_name, format = "--workspace_name=%s")
    args.add_all(import_roots, format_each = "--import_root=%s")
    args.add(ctx.attr.resources_location, format = "--resources_location=%s")
    args.add(ctx.attr.resources_location_fallback, format = "--resources_location_fallback=%s")
    args.add("--include_sources" if ctx.attr.include_sources else "--noinclude_sources")
    args.add("--include_test" if ctx.attr.include_test else "--noinclude_test")
    args.add_all(ctx.attr.bytecode_optimize_levels, format_each = "--optimize_level=%s")
    args.add_all(ctx.attr.excludes, format_each = "--exclude=%s")
    args.add_all(dist.extension_suffixes, format_each = "--extension_suffix=%s")
    if main:
        args.add(main.short_path, format = "--main=%s")
    args.add(manifest, format = "--output_manifest=%s")
    args.add(compile_list, format = "--output_compile_list=%s")
    args.add_all(files, map_each = _file_arg)
    ctx.actions.run(
        executable = tools.classify,
        arguments = [args],
        inputs = files,
        outputs = [manifest, compile_list],
        mnemonic = "OxidizerClassify",
        progress_message = "Classifying Python resources of %s" % ctx.label,
        env = {"PYTHONHASHSEED": "0", "PYTHONNOUSERSITE": "1"},
    )

    ctx.actions.run(
        executable = dist.interpreter,
        arguments = ["-I", "-S", "-B", tools.bytecode_compiler.path, compile_list.path, bytecode.path],
        inputs = depset([compile_list, tools.bytecode_compiler], transitive = [files]),
        outputs = [bytecode],
        mnemonic = "OxidizerCompile",
        progress_message = "Compiling Python bytecode of %s" % ctx.label,
        env = {"PYTHONHASHSEED": "0"},
    )

    pack_args = param_args(ctx)
    pack_args.add(target, format = "--target=%s")
    pack_args.add(manifest, format = "--manifest=%s")
    pack_args.add(bytecode, format = "--bytecode=%s")
    pack_args.add(dist.magic_number_hex, format = "--expected_magic=%s")
    pack_args.add(packed, format = "--output=%s")
    ctx.actions.run(
        executable = tools.pack,
        arguments = [pack_args],
        inputs = depset([manifest, bytecode], transitive = [files]),
        outputs = [packed],
        mnemonic = "OxidizerPack",
        progress_message = "Packing Python resources of %s" % ctx.label,
        env = {"PYTHONHASHSEED": "0", "PYTHONNOUSERSITE": "1"},
    )

    # Files that may be installed next to the executable: everything when the primary
    # location is the filesystem, else only what cannot live in memory.
    if ctx.attr.resources_location != "in-memory":
        installable = files
    else:
        installable = depset([f for f in files.to_list() if _is_extension(f, dist.extension_suffixes)])

    return OxidizedResourcesInfo(
        packed = packed,
        manifest = manifest,
        installable = installable,
        magic_number_hex = dist.magic_number_hex,
        optimize_levels = ctx.attr.bytecode_optimize_levels,
    )
