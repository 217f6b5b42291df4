"""Interpreter settings of py_oxidized_binary: attributes, validation, embed-tool flags.

Each setting maps onto a field of `oxidizer_config` (runtime/include/oxidizer/config.h),
written by tools/oxidizer_tools/embed.py and applied by runtime/src/interpreter.c.
"""

INTERPRETER_ATTRS = {
    "sys_frozen": attr.bool(default = True, doc = "Set `sys.frozen = True`, as frozen-app tools do."),
    "site_import": attr.bool(default = False, doc = "Import `site` at start-up."),
    "filesystem_importer": attr.bool(
        default = False,
        doc = "Keep importlib's filesystem `PathFinder` on `sys.meta_path` (and honor `sys.path`).",
    ),
    "optimization_level": attr.int(default = 0, doc = "`sys.flags.optimize`: 0, 1 or 2."),
    "module_file": attr.bool(
        default = False,
        doc = "Give in-memory modules a virtual `__file__` under the executable's directory " +
              "(`<exe dir>/<package path>/<module>.py`; no file exists there). Off by default, " +
              "as in PyOxidizer, where in-memory modules have no `__file__`.",
    ),
}

def check_interpreter_config(ctx):
    """Fails the build, naming the target, on invalid or contradictory settings."""
    if ctx.attr.optimization_level not in (0, 1, 2):
        fail("%s: optimization_level must be 0, 1 or 2" % ctx.label)

def add_interpreter_args(ctx, args):
    """Adds the embed tool's flags for the interpreter settings to `args`."""
    args.add("--sys_frozen" if ctx.attr.sys_frozen else "--nosys_frozen")
    args.add("--site_import" if ctx.attr.site_import else "--nosite_import")
    args.add("--filesystem_importer" if ctx.attr.filesystem_importer else "--nofilesystem_importer")
    args.add(str(ctx.attr.optimization_level), format = "--optimization_level=%s")
    args.add("--virtual_module_file" if ctx.attr.module_file else "--novirtual_module_file")
