"""The oxidized_resources rule: one separately cached group of packed Python resources."""

load("@rules_python//python:defs.bzl", "PyInfo")
load(":actions.bzl", "excluded_builtin_modules", "oxidize_resources")
load(":merge_attrs.bzl", "merge_attrs")
load(":policy.bzl", "RESOURCES", "check_policy", "policy_attrs", "policy_from_attrs")
load(":providers.bzl", "PythonDistributionInfo")
load(":tools.bzl", "TOOL_ATTRS", "distribution_attr", "tools_struct")

def collect_python_inputs(deps):
    """Files and import roots of py_library-like targets: sources, data and `imports`.

    Args:
      deps: the targets (PyInfo or DefaultInfo providers).

    Returns:
      A tuple (files, import roots), both depsets.
    """
    files = []
    roots = []
    for dep in deps:
        if PyInfo in dep:
            files.append(dep[PyInfo].transitive_sources)
            roots.append(dep[PyInfo].imports)
        files.append(dep[DefaultInfo].default_runfiles.files)
        files.append(dep[DefaultInfo].files)
    return depset(transitive = files), depset(transitive = roots)

def _oxidized_resources_impl(ctx):
    dist = ctx.attr.distribution[PythonDistributionInfo]
    if ctx.attr.stdlib:
        if ctx.attr.deps or ctx.attr.srcs:
            fail("%s: a stdlib group takes no deps or srcs" % ctx.label)
        files = depset(transitive = [dist.stdlib, dist.lib_dynload])
        import_roots = [dist.stdlib_import_root, dist.lib_dynload_import_root]
    else:
        files, roots = collect_python_inputs(ctx.attr.deps)
        files = depset(ctx.files.srcs, transitive = [files])
        import_roots = roots.to_list()
    check_policy(ctx)
    policy = policy_from_attrs(ctx.attr)
    info = oxidize_resources(
        ctx.actions,
        ctx.label,
        ctx.workspace_name,
        policy,
        ctx.label.name,
        files,
        import_roots,
        dist,
        tools_struct(ctx),
        excluded_builtins = excluded_builtin_modules(policy, dist) if ctx.attr.stdlib else [],
        check_resource_locations = True,
    )
    return [
        info,
        DefaultInfo(files = depset([info.packed, info.manifest])),
    ]

oxidized_resources = rule(
    implementation = _oxidized_resources_impl,
    doc = """A group of Python resources classified, compiled to bytecode and packed on its own.

Every group is cached separately: a binary's standard library is one group
(`@oxidizer_python//:stdlib_resources`), so editing application code never repacks it.
Pass groups to `py_oxidized_binary(resources = [...])` to split large dependency sets
(e.g. third-party packages) the same way.

Outputs `<name>.pyembed` (packed resources, format `pyembed\\x03`) and `<name>.manifest.pb`.""",
    attrs = merge_attrs(policy_attrs(RESOURCES), TOOL_ATTRS, {
        "deps": attr.label_list(
            providers = [[PyInfo], [DefaultInfo]],
            doc = "`py_library` targets: their transitive sources, data files and `imports` roots.",
        ),
        "srcs": attr.label_list(
            allow_files = True,
            doc = "Extra files, classified relative to their repository root.",
        ),
        "stdlib": attr.bool(
            default = False,
            doc = "Package the distribution's standard library and lib-dynload instead of deps.",
        ),
        "distribution": distribution_attr("The Python distribution whose interpreter compiles the bytecode."),
    }),
)
