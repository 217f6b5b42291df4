"""The rule that renders docs/rules.md's rule reference from the rules' own docstrings."""

load("//oxidizer:internal.bzl", "py_tool", "run_py_tool")

def _rules_reference_impl(ctx):
    out = ctx.actions.declare_file(ctx.attr.out)
    args = ctx.actions.args()
    args.add_all(ctx.files.srcs, format_each = "--file=%s", map_each = _file_arg)
    args.add_all(ctx.attr.public, format_each = "--public=%s")
    args.add_all(ctx.attr.symbols, format_each = "--symbol=%s")
    args.add_all(ctx.attr.opaque, format_each = "--opaque=%s")
    if ctx.attr.settings:
        args.add("--settings=" + ctx.attr.settings)
    args.add("--out=" + out.path)
    run_py_tool(
        ctx.actions,
        py_tool(ctx.attr._tool),
        arguments = [args],
        inputs = ctx.files.srcs,
        outputs = [out],
        mnemonic = "OxidizerRulesReference",
        progress_message = "Rendering the rule reference %s" % out.short_path,
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

def _file_arg(f):
    return "%s=%s" % (f.short_path, f.path)

rules_reference = rule(
    implementation = _rules_reference_impl,
    doc = "Renders the rule reference sections of docs/rules.md (tools/rules_reference.py), each between its BEGIN/END GENERATED lines.",
    attrs = {
        "srcs": attr.label_list(
            allow_files = [".bzl"],
            doc = "Every `.bzl` file the documented files load, transitively (main repository only).",
        ),
        "public": attr.string_list(
            doc = "Labels of public `.bzl` files: each of their public symbols gets a section.",
        ),
        "symbols": attr.string_list(
            doc = "`LABEL%NAME` of further symbols to document (private ones users meet).",
        ),
        "settings": attr.string(
            doc = "`LABEL%NAME` of the interpreter settings list: their attribute rows link to the settings table.",
        ),
        "opaque": attr.string_list(
            doc = "Labels of `.bzl` files loaded but not given (their symbols stay opaque; none may shape a documented declaration).",
        ),
        "out": attr.string(mandatory = True, doc = "Output path, relative to the package."),
        "_tool": attr.label(
            default = Label("//tools:rules_reference"),
            cfg = "exec",
            doc = "tools/rules_reference.py as an `oxidizer_py_tool`.",
        ),
    },
)
