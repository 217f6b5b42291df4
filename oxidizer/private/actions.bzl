"""Actions that classify, compile and pack one group of Python resources."""

load(":locations.bzl", "check_location", "check_resource_locations")
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
              "extension modules when the primary location is in-memory and " +
              "`allow_in_memory_shared_library_loading` is False). Empty: such resources are an error.",
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
    "includes": attr.string_list(
        doc = "fnmatch patterns of module names to keep, each with its submodules and (for literal " +
              "patterns) the packages above it; everything else is left out. Empty: keep all. " +
              "`excludes` still applies to what is kept; the `main` file is always kept.",
    ),
    "resource_locations": attr.string_dict(
        doc = "Per-resource locations (PyOxidizer's `add_location` set by a resource callback): " +
              "fnmatch pattern -> location (`in-memory` or `filesystem-relative:PREFIX`). Patterns match " +
              "the whole name of a module, package or extension module, the package of a package " +
              "resource, the distribution of a `.dist-info` file, or the path of a File resource " +
              "(`mypkg` is that package only, `mypkg.*` everything below it). The most specific " +
              "matching pattern wins: one without wildcards first, then the one with more literal " +
              "characters; equally specific patterns giving different locations are an error. " +
              "Resources no pattern matches follow `resources_location`/`resources_location_fallback`.",
    ),
    "include_non_distribution_sources": attr.bool(
        default = True,
        doc = "Embed the source of in-memory modules that are not part of the Python distribution " +
              "(everything but the stdlib); `include_sources = False` overrides it.",
    ),
    "allow_files": attr.bool(
        default = False,
        doc = "Allow `File` resources: files that classify as nothing else (outside every package, " +
              "e.g. `my-bin/tool.sh`, `README.md` at an import root) are kept as files named by their path under the " +
              "import root, installed with their executable bit when filesystem-relative or " +
              "embedded when in-memory. False: such files are skipped.",
    ),
    "resources_handling_mode": attr.string(
        default = "classify",
        values = ["classify", "files"],
        doc = "`classify`: files become typed resources (modules, package resources, extension " +
              "modules, ...). `files`: every input file becomes a `File` resource, unclassified " +
              "(implies `allow_files`); the `main` file is still a module.",
    ),
    "allow_in_memory_shared_library_loading": attr.bool(
        default = False,
        doc = "Let shared-library extension modules live in-memory (packed as field 0x0a; the runtime " +
              "loads them through `memfd_create`). False: they go to `resources_location_fallback`, " +
              "and a `resource_locations` entry placing one in-memory is an error.",
    ),
}

# Policy attributes about the Python distribution's own resources. Only groups that hold
# distribution files (`oxidized_resources(stdlib = True)`) are affected, so only
# oxidized_resources has them.
DISTRIBUTION_POLICY_ATTRS = {
    "include_distribution_sources": attr.bool(
        default = True,
        doc = "Embed the source of the distribution's in-memory stdlib modules " +
              "(`include_sources = False` overrides it).",
    ),
    "include_distribution_resources": attr.bool(
        default = False,
        doc = "Keep the distribution's package resources (non-module files in stdlib packages, " +
              "e.g. `ensurepip/_bundled/*.whl`, `idlelib/Icons`, `venv/scripts`).",
    ),
    "extension_module_filter": attr.string(
        default = "all",
        values = ["all", "minimal", "no-libraries", "no-copyleft", "no-gpl"],
        doc = "Which of the distribution's shared-library extension modules (`lib-dynload`) to keep: " +
              "`all`; `minimal` (only those needed to start the interpreter: none with a libpython " +
              "that has them built in); `no-libraries` (those whose `DT_NEEDED` names only libc, libm, " +
              "libpthread, libdl, libutil, librt or ld-linux); `no-copyleft` (those linking no GPL, " +
              "LGPL or Sleepycat library: drops `readline`, `_dbm`, `_gdbm`, `_crypt`, `nis`; " +
              "`no-gpl` is the same).",
    ),
}

# Defaults of DISTRIBUTION_POLICY_ATTRS for rules that do not have them.
_DISTRIBUTION_POLICY_DEFAULTS = {
    "include_distribution_sources": True,
    "include_distribution_resources": False,
    "extension_module_filter": "all",
}

def _policy_attr(ctx, name):
    if hasattr(ctx.attr, name):
        return getattr(ctx.attr, name)
    return _DISTRIBUTION_POLICY_DEFAULTS[name]

def check_policy(ctx):
    check_location(ctx, "resources_location")
    check_location(ctx, "resources_location_fallback", allow_empty = True)
    check_resource_locations(ctx)
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

def _resource_location_arg(item):
    return "--resource_location=%s=%s" % item

def _flag(args, name, value):
    args.add("--" + name if value else "--no" + name)

def _is_extension(f, suffixes):
    for suffix in suffixes:
        if f.basename.endswith(suffix):
            return True
    return False

def oxidize_resources(ctx, name, files, import_roots, dist, tools, main = None, builtin_extensions = []):
    """Registers the classify, compile and pack actions of one resource group.

    Args:
      ctx: the rule context (policy attributes are read from it).
      name: prefix of the output files.
      files: depset[File] of inputs.
      import_roots: list of runfiles-relative import roots.
      dist: PythonDistributionInfo.
      tools: struct(classify, pack, bytecode_compiler).
      main: optional File run as `__main__`.
      builtin_extensions: module names of extensions linked into the binary, packed as
        built-in resources so the finder can hand dotted names to BuiltinImporter.

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
    args.add_all(ctx.attr.includes, format_each = "--include=%s")
    args.add_all(dist.extension_suffixes, format_each = "--extension_suffix=%s")
    args.add_all(sorted(ctx.attr.resource_locations.items()), map_each = _resource_location_arg)
    args.add_all([dist.stdlib_import_root, dist.lib_dynload_import_root], format_each = "--distribution_root=%s")
    _flag(args, "include_distribution_sources", _policy_attr(ctx, "include_distribution_sources"))
    _flag(args, "include_distribution_resources", _policy_attr(ctx, "include_distribution_resources"))
    _flag(args, "include_non_distribution_sources", ctx.attr.include_non_distribution_sources)
    args.add(_policy_attr(ctx, "extension_module_filter"), format = "--extension_module_filter=%s")
    _flag(args, "allow_files", ctx.attr.allow_files)
    args.add(ctx.attr.resources_handling_mode, format = "--resources_handling_mode=%s")
    _flag(args, "allow_in_memory_shared_library_loading", ctx.attr.allow_in_memory_shared_library_loading)
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
    pack_args.add_all(builtin_extensions, format_each = "--builtin_extension=%s")
    ctx.actions.run(
        executable = tools.pack,
        arguments = [pack_args],
        inputs = depset([manifest, bytecode], transitive = [files]),
        outputs = [packed],
        mnemonic = "OxidizerPack",
        progress_message = "Packing Python resources of %s" % ctx.label,
        env = {"PYTHONHASHSEED": "0", "PYTHONNOUSERSITE": "1"},
    )

    # Files that may be installed next to the executable: everything when any location is
    # on the filesystem, else only what cannot live in memory (shared-library extension
    # modules, unless they may be in memory too). Classification decides which are.
    locations = [ctx.attr.resources_location] + ctx.attr.resource_locations.values()
    if [loc for loc in locations if loc != "in-memory"]:
        installable = files
    elif ctx.attr.allow_in_memory_shared_library_loading:
        installable = depset()
    else:
        installable = depset([f for f in files.to_list() if _is_extension(f, dist.extension_suffixes)])

    return OxidizedResourcesInfo(
        packed = packed,
        manifest = manifest,
        installable = installable,
        magic_number_hex = dist.magic_number_hex,
        optimize_levels = ctx.attr.bytecode_optimize_levels,
    )
