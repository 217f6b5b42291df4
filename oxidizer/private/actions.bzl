"""Actions that classify, compile and pack one group of Python resources.

The action helpers only: the packaging policy they take (attributes, defaults, checks) is
declared in policy.bzl.
"""

load(":policy.bzl", "DEFAULT_FALLBACK", "policy_json")
load(":providers.bzl", "OxidizedResourcesInfo")
load(":py_tool.bzl", "run_py_tool")

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

def write_policy_file(actions, name, policy, dist, check_resource_locations = False):
    """Writes `NAME.policy.json`: the policy file of a classify action (policy.bzl's `policy_json`).

    A binary writes its own once: the classify action of its app group reads it, and so do
    the pack actions of the shared groups it relocates (`relocated_group`).

    Args:
      actions: `ctx.actions`.
      name: prefix of the file.
      policy: the packaging policy (policy.bzl: `policy_from_attrs` or `THIRD_PARTY_POLICY`).
      dist: PythonDistributionInfo.
      check_resource_locations: every `resource_locations` pattern must match a resource of
        the group (see `oxidize_resources`).

    Returns:
      The File.
    """
    policy_file = actions.declare_file(name + ".policy.json")
    actions.write(policy_file, policy_json(
        policy,
        extension_suffixes = dist.extension_suffixes,
        distribution_roots = [dist.stdlib_import_root, dist.lib_dynload_import_root],
        check_resource_locations = check_resource_locations,
    ))
    return policy_file

def oxidize_resources(actions, label, workspace_name, policy, name, files, import_roots, dist, tools, main = None, builtin_extensions = [], excluded_builtins = [], check_resource_locations = False, policy_file = None):
    """Registers the classify, compile and pack actions of one resource group.

    Args:
      actions: `ctx.actions` of the rule or aspect.
      label: the Label the group belongs to, for messages.
      workspace_name: `ctx.workspace_name` (maps short paths to runfiles paths).
      policy: the packaging policy (policy.bzl: `policy_from_attrs` or `THIRD_PARTY_POLICY`).
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
      policy_file: `policy` already written by `write_policy_file` (with
        `check_resource_locations`), or None to write `NAME.policy.json`.

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
    if not policy_file:
        policy_file = write_policy_file(actions, name, policy, dist, check_resource_locations)
    args.add(policy_file, format = "--policy=%s")
    if main:
        args.add(main.short_path, format = "--main=%s")
    args.add(manifest, format = "--output_manifest=%s")
    args.add(compile_list, format = "--output_compile_list=%s")
    args.add_all(files, map_each = _file_arg)
    run_py_tool(
        actions,
        tools.classify,
        arguments = [args],
        inputs = depset([policy_file], transitive = [files]),
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
    inputs = [manifest, bytecode]
    if relocation:
        # The binary's placement: its policy file (resource_locations,
        # allow_in_memory_shared_library_loading, resources_location_fallback), whether its
        # fallback moves the group's fallback objects, and its keep-list (a file of the
        # user's, passed as it is).
        args.add(relocation.manifest, format = "--output_manifest=%s")
        args.add(relocation.policy_file, format = "--policy=%s")
        _flag(args, "move_fallback", relocation.move_fallback)
        inputs.append(relocation.policy_file)
        if relocation.keep_list:
            args.add(relocation.keep_list, format = "--modules_keep_list=%s")
            inputs.append(relocation.keep_list)
        outputs.append(relocation.manifest)
    run_py_tool(
        actions,
        tools.pack,
        arguments = [args],
        inputs = depset(inputs, transitive = [files]),
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

def relocated_group(actions, label, name, policy, policy_file, group, dist, tools, keep_list = None):
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
      policy_file: the binary's policy file (`write_policy_file` of `policy`), which the
        pack action reads.
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
        policy_file = policy_file,
        move_fallback = _moves_fallback(policy),
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
