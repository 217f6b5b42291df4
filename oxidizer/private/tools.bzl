"""Private attributes naming rules_oxidizer's tools, shared by the rules."""

load(":providers.bzl", "PythonDistributionInfo")
load(":py_tool.bzl", "PyToolInfo", "py_tool")

DEFAULT_DISTRIBUTION = Label("//oxidizer:distribution")

def tool_attr(label):
    """A private attribute naming an `oxidizer_py_tool` (exec configuration), run with `run_py_tool`."""
    return attr.label(default = Label(label), cfg = "exec", providers = [PyToolInfo])

TOOL_ATTRS = {
    "_classify": tool_attr("//tools:classify"),
    "_pack": tool_attr("//tools:pack"),
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
        classify = py_tool(ctx.attr._classify),
        pack = py_tool(ctx.attr._pack),
        bytecode_compiler = ctx.file._bytecode_compiler,
    )
