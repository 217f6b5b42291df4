"""Private attributes naming rules_oxidizer's tools, shared by the rules."""

load(":providers.bzl", "PythonDistributionInfo")

DEFAULT_DISTRIBUTION = "@oxidizer_python//:distribution"

TOOL_ATTRS = {
    "_classify": attr.label(default = Label("//tools:classify"), executable = True, cfg = "exec"),
    "_pack": attr.label(default = Label("//tools:pack"), executable = True, cfg = "exec"),
    "_bytecode_compiler": attr.label(
        default = Label("//tools:oxidizer_tools/bytecode_compiler.py"),
        allow_single_file = True,
    ),
}

def distribution_attr(doc):
    return attr.label(
        default = DEFAULT_DISTRIBUTION,
        providers = [PythonDistributionInfo],
        # Target configuration: the runtime and libpython are linked into the binary. The
        # interpreter that compiles bytecode is the same installation (not cross-capable).
        doc = doc,
    )

def tools_struct(ctx):
    return struct(
        classify = ctx.executable._classify,
        pack = ctx.executable._pack,
        bytecode_compiler = ctx.file._bytecode_compiler,
    )
