"""Actions that classify, compile and pack one group of Python resources."""

load(":locations.bzl", "check_location", "check_resource_locations")
load(":providers.bzl", "OxidizedResourcesInfo")
load(":py_tool.bzl", "run_py_tool")

# Where shared objects go when they cannot live in memory, unless a rule says otherwise.
DEFAULT_FALLBACK = "filesystem-relative:lib"

# Attributes shared by oxidized_resources and py_oxidized_binary (the packaging policy).
POLICY_ATTRS = {
    "resources_location": attr.string(
        default = "in-memory",
        doc = "Where resources go: `in-memory` (embedded, imported from memory), " +
              "`filesystem-relative:PREFIX` (installed as files under `<binary name>_lib/PREFIX/` " +
              "next to the executable) or `filesystem-extracted` (embedded, extracted on first use " +
              "to a per-user cache directory named by their content hash, imported from there with " +
              "a real `__file__`).",
    ),
    "resources_location_fallback": attr.string(
        default = DEFAULT_FALLBACK,
        doc = "Location for resources that cannot live at `resources_location` (shared-library " +
              "extension modules when the primary location is in-memory and " +
              "`allow_in_memory_shared_library_loading` is False). Empty: such resources are an error. " +
              "A binary's fallback also applies to the groups it shares (stdlib, third-party): " +
              "`filesystem-extracted` gives one file whose shared objects are extracted once to the " +
              "user's cache.",
    ),
    "include_sources": attr.bool(
        default = True,
        doc = "Embed module source next to bytecode (for `inspect.getsource` and tracebacks).",
    ),
    "compress_sources": attr.bool(
        default = True,
        doc = "Store the embedded source of in-memory modules as zstd frames (resource field " +
              "0x21, a rules_oxidizer extension of the packed format), decompressed only when " +
              "read (`inspect.getsource`, `linecache`, tracebacks); see `compress_bytecode` for bytecode. " +
              "About 4x smaller sources (CPython's stdlib: 11.0 MB to 2.6 MB). False: plain " +
              "field 0x06, readable by PyOxidizer.",
    ),
    "compress_bytecode": attr.bool(
        default = False,
        doc = "Store the in-memory bytecode of modules as zstd frames (resource fields 0x22-0x24, " +
              "a rules_oxidizer extension of the packed format), decompressed when each module is " +
              "imported. A size/start-up trade-off: a stdlib group with it makes `examples/hello` " +
              "29.5 MB -> 22.0 MB (stdlib bytecode 12.1 MB -> 5.2 MB) and the trimmed bench CLI " +
              "8.4 MB -> 7.1 MB, for 16-22% more instructions executed (callgrind: importing the whole " +
              "stdlib 497M -> 606M, the bench CLI 174M -> 202M). False: plain fields 0x07-0x09, " +
              "readable by PyOxidizer.",
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
              "fnmatch pattern -> location (`in-memory`, `filesystem-relative:PREFIX` or " +
              "`filesystem-extracted`). Patterns match " +
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

def policy_from_attrs(attrs):
    """The packaging policy of a rule's attributes (POLICY_ATTRS, and DISTRIBUTION_POLICY_ATTRS when it has them).

    Args:
      attrs: `ctx.attr` of a rule with the POLICY_ATTRS.

    Returns:
      A struct with one field per policy attribute; a rule without the distribution
      policy attributes gets their defaults.
    """
    fields = {name: getattr(attrs, name) for name in POLICY_ATTRS}
    for name, default in _DISTRIBUTION_POLICY_DEFAULTS.items():
        fields[name] = getattr(attrs, name) if hasattr(attrs, name) else default
    return struct(**fields)

# The policy of third-party groups (py_library targets of other repositories: PyPI wheels),
# which every binary shares: PyOxidizer's defaults, without the distributions' test suites.
# A binary moves their resources with its own `resource_locations` and
# `allow_in_memory_shared_library_loading` (see `relocated_group`).
THIRD_PARTY_POLICY = struct(
    resources_location = "in-memory",
    resources_location_fallback = DEFAULT_FALLBACK,
    include_sources = True,
    compress_sources = True,
    compress_bytecode = False,
    bytecode_optimize_levels = [0],
    include_test = False,
    excludes = [],
    includes = [],
    resource_locations = {},
    include_non_distribution_sources = True,
    allow_files = False,
    resources_handling_mode = "classify",
    allow_in_memory_shared_library_loading = False,
    **_DISTRIBUTION_POLICY_DEFAULTS
)

def check_policy(ctx):
    """Fails the build, naming the target and attribute, on an invalid location or optimization level.

    Args:
      ctx: the rule context of a rule with the POLICY_ATTRS.
    """
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

def param_args(actions):
    """An Args that always goes through a `--flagfile` param file (absl-py format).

    Args:
      actions: `ctx.actions`.

    Returns:
      The Args object.
    """
    args = actions.args()
    args.use_param_file("--flagfile=%s", use_always = True)
    args.set_param_file_format("multiline")
    return args

def resource_location_arg(item):
    """`--resource_location=PATTERN=LOCATION` of a `resource_locations` item (for `map_each`)."""
    return "--resource_location=%s=%s" % item

def _flag(args, name, value):
    args.add("--" + name if value else "--no" + name)

def _may_be_shared_object(f, suffixes):
    """Whether classification may make `f` an extension module or a shared library.

    A superset of classify.py's rules (extension suffixes; `libfoo.so`, versioned
    `libgfortran-<hash>.so.5.0.0` of a wheel's `<dist>.libs/`): only these can be installed
    next to the executable when every location is in-memory.
    """
    name = f.basename
    for suffix in suffixes:
        if name.endswith(suffix):
            return True
    return name.endswith(".so") or ".so." in name

def _installs_files(locations):
    """Whether any of these locations installs files next to the executable."""
    return [loc for loc in locations if loc.startswith("filesystem-relative:")] != []

def _installable(policy, files, dist):
    """Files that may be installed next to the executable (classification decides which are).

    Everything when any location is filesystem-relative, else only what cannot live in memory
    or be extracted (shared objects, unless they may be in memory too).
    """
    if _installs_files([policy.resources_location] + policy.resource_locations.values()):
        return files
    if policy.allow_in_memory_shared_library_loading:
        return depset()
    return depset([f for f in files.to_list() if _may_be_shared_object(f, dist.extension_suffixes)])

def excluded_builtin_modules(policy, dist):
    """Built-in modules of `dist` that `policy.extension_module_filter` leaves out.

    A source-built distribution links every extension module in; the filter then judges
    them as it judges shared-library ones: `minimal` keeps what start-up needs,
    `no-libraries` drops those linking a third-party library, `no-copyleft` those linking a
    GPL or LGPL one.

    Args:
      policy: the packaging policy (`policy_from_attrs`).
      dist: the PythonDistributionInfo.

    Returns:
      A list of module names.
    """
    mode = policy.extension_module_filter
    if mode == "minimal" and dist.startup_builtins:
        return [m for m in dist.builtin_modules if m not in dist.startup_builtins]
    if mode == "no-libraries":
        return sorted(dist.builtin_module_licenses.keys())
    if mode == "no-copyleft":
        return sorted([
            m
            for m, licenses in dist.builtin_module_licenses.items()
            if [lic for lic in licenses if "GPL" in lic]
        ])
    return []

def oxidize_resources(actions, label, workspace_name, policy, name, files, import_roots, dist, tools, main = None, builtin_extensions = [], excluded_builtins = [], check_resource_locations = False):
    """Registers the classify, compile and pack actions of one resource group.

    Args:
      actions: `ctx.actions` of the rule or aspect.
      label: the Label the group belongs to, for messages.
      workspace_name: `ctx.workspace_name` (maps short paths to runfiles paths).
      policy: the packaging policy (`policy_from_attrs` or `THIRD_PARTY_POLICY`).
      name: prefix of the output files.
      files: depset[File] of inputs.
      import_roots: list of runfiles-relative import roots.
      dist: PythonDistributionInfo.
      tools: struct(classify, pack: `py_tool()` structs; bytecode_compiler: File), from `tools_struct`.
      main: optional File run as `__main__`.
      builtin_extensions: module names of extensions linked into the binary, packed as
        built-in resources so the finder can hand dotted names to BuiltinImporter.
      excluded_builtins: built-in modules the group's filter leaves out.
      check_resource_locations: every `resource_locations` pattern must match a resource of
        this group (a group of its own; a binary checks its patterns against all its groups).

    Returns:
      OxidizedResourcesInfo.
    """
    manifest = actions.declare_file(name + ".manifest.pb")
    compile_list = actions.declare_file(name + ".compile.json")
    bytecode = actions.declare_file(name + ".bytecode")
    packed = actions.declare_file(name + ".pyembed")
    target = str(label)

    args = param_args(actions)
    args.add(target, format = "--target=%s")
    args.add(workspace_name, format = "--workspace_name=%s")
    args.add_all(import_roots, format_each = "--import_root=%s")
    args.add(policy.resources_location, format = "--resources_location=%s")
    args.add(policy.resources_location_fallback, format = "--resources_location_fallback=%s")
    _flag(args, "include_sources", policy.include_sources)
    _flag(args, "compress_sources", policy.compress_sources)
    _flag(args, "compress_bytecode", policy.compress_bytecode)
    _flag(args, "include_test", policy.include_test)
    args.add_all(policy.bytecode_optimize_levels, format_each = "--optimize_level=%s")
    args.add_all(policy.excludes, format_each = "--exclude=%s")
    args.add_all(policy.includes, format_each = "--include=%s")
    args.add_all(dist.extension_suffixes, format_each = "--extension_suffix=%s")
    args.add_all(sorted(policy.resource_locations.items()), map_each = resource_location_arg)
    args.add_all([dist.stdlib_import_root, dist.lib_dynload_import_root], format_each = "--distribution_root=%s")
    _flag(args, "include_distribution_sources", policy.include_distribution_sources)
    _flag(args, "include_distribution_resources", policy.include_distribution_resources)
    _flag(args, "include_non_distribution_sources", policy.include_non_distribution_sources)
    args.add(policy.extension_module_filter, format = "--extension_module_filter=%s")
    _flag(args, "allow_files", policy.allow_files)
    args.add(policy.resources_handling_mode, format = "--resources_handling_mode=%s")
    _flag(args, "allow_in_memory_shared_library_loading", policy.allow_in_memory_shared_library_loading)
    _flag(args, "check_resource_locations", check_resource_locations)
    if main:
        args.add(main.short_path, format = "--main=%s")
    args.add(manifest, format = "--output_manifest=%s")
    args.add(compile_list, format = "--output_compile_list=%s")
    args.add_all(files, map_each = _file_arg)
    run_py_tool(
        actions,
        tools.classify,
        arguments = [args],
        inputs = files,
        outputs = [manifest, compile_list],
        mnemonic = "OxidizerClassify",
        progress_message = "Classifying Python resources of %s" % target,
    )

    actions.run(
        executable = dist.interpreter,
        arguments = ["-I", "-S", "-B", tools.bytecode_compiler.path, compile_list.path, bytecode.path],
        inputs = depset([compile_list, tools.bytecode_compiler], transitive = [files, dist.interpreter_files]),
        outputs = [bytecode],
        mnemonic = "OxidizerCompile",
        progress_message = "Compiling Python bytecode of %s" % target,
        env = {"PYTHONHASHSEED": "0"},
    )

    _pack(actions, target, tools, dist, manifest, bytecode, files, packed, builtin_extensions = builtin_extensions)

    return OxidizedResourcesInfo(
        packed = packed,
        manifest = manifest,
        installable = _installable(policy, files, dist),
        magic_number_hex = dist.magic_number_hex,
        optimize_levels = policy.bytecode_optimize_levels,
        bytecode = bytecode,
        inputs = files,
        excluded_builtins = excluded_builtins,
    )

def _pack(actions, target, tools, dist, manifest, bytecode, files, packed, builtin_extensions = [], relocation = None):
    args = param_args(actions)
    args.add(target, format = "--target=%s")
    args.add(manifest, format = "--manifest=%s")
    args.add(bytecode, format = "--bytecode=%s")
    args.add(dist.magic_number_hex, format = "--expected_magic=%s")
    args.add(packed, format = "--output=%s")
    args.add_all(builtin_extensions, format_each = "--builtin_extension=%s")
    outputs = [packed]
    if relocation:
        args.add(relocation.manifest, format = "--output_manifest=%s")
        args.add_all(sorted(relocation.resource_locations.items()), map_each = resource_location_arg)
        _flag(args, "allow_in_memory_shared_library_loading", relocation.allow_in_memory_shared_library_loading)
        if relocation.fallback:
            args.add(relocation.fallback, format = "--resources_location_fallback=%s")
        if relocation.keep_list:
            args.add(relocation.keep_list, format = "--modules_keep_list=%s")
        outputs.append(relocation.manifest)
    keep_list = [relocation.keep_list] if relocation and relocation.keep_list else []
    run_py_tool(
        actions,
        tools.pack,
        arguments = [args],
        inputs = depset([manifest, bytecode] + keep_list, transitive = [files]),
        outputs = outputs,
        mnemonic = "OxidizerPack",
        progress_message = "Packing Python resources of %s" % target,
    )

def _moves_fallback(policy):
    """Whether a binary puts fallback resources elsewhere than the shared groups do."""
    return policy.resources_location_fallback not in ("", DEFAULT_FALLBACK)

def needs_relocation(policy, keep_list = None):
    """Whether a binary with this policy (and `modules_keep_list`) repacks the groups it shares."""
    return bool(policy.resource_locations) or policy.allow_in_memory_shared_library_loading or _moves_fallback(policy) or keep_list != None

def relocated_group(actions, label, name, policy, group, dist, tools, keep_list = None):
    """A shared group repacked with a binary's own placement and keep-list.

    The binary's `resource_locations` apply to the group's resources too, and the shared
    objects that the group's policy put at its fallback go where the binary's would: into
    memory with `allow_in_memory_shared_library_loading`, else to the binary's
    `resources_location_fallback` (e.g. `filesystem-extracted`). With `keep_list` (a File:
    the binary's `modules_keep_list`), only the modules it names and their packages are
    kept (tools/oxidizer_tools/trim.py). Classification and bytecode stay the group's
    (shared).

    Args:
      actions: `ctx.actions` of the binary.
      label: the binary's Label, for messages.
      name: prefix of the declared outputs (`NAME.pyembed`, `NAME.manifest.pb`).
      policy: the binary's packaging policy (`policy_from_attrs`).
      group: the shared group's OxidizedResourcesInfo.
      dist: the PythonDistributionInfo.
      tools: the tool executables (struct, as for `oxidize_resources`).
      keep_list: the binary's `modules_keep_list` File, or None.

    Returns:
      The repacked group's OxidizedResourcesInfo.
    """
    packed = actions.declare_file(name + ".pyembed")
    manifest = actions.declare_file(name + ".manifest.pb")
    relocation = struct(
        manifest = manifest,
        resource_locations = policy.resource_locations,
        allow_in_memory_shared_library_loading = policy.allow_in_memory_shared_library_loading,
        fallback = policy.resources_location_fallback if _moves_fallback(policy) else "",
        keep_list = keep_list,
    )
    _pack(actions, str(label), tools, dist, group.manifest, group.bytecode, group.inputs, packed, relocation = relocation)
    return OxidizedResourcesInfo(
        packed = packed,
        manifest = manifest,
        installable = group.inputs if _installs_files(policy.resource_locations.values()) else group.installable,
        magic_number_hex = group.magic_number_hex,
        optimize_levels = group.optimize_levels,
        bytecode = group.bytecode,
        inputs = group.inputs,
        excluded_builtins = group.excluded_builtins,
    )
