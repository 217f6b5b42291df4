"""Renderings of the packed format's one field table (runtime/python/_oxidized_importer/packed_format.py)."""

load("//oxidizer:internal.bzl", "py_tool", "run_py_tool")

def _packed_format_file_impl(ctx):
    out = ctx.actions.declare_file(ctx.attr.out)
    run_py_tool(
        ctx.actions,
        py_tool(ctx.attr._tool),
        arguments = ["--form=" + ctx.attr.form, "--out=" + out.path],
        inputs = [],
        outputs = [out],
        mnemonic = "OxidizerPackedFormat",
        progress_message = "Rendering the packed format's field table %s" % out.short_path,
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

packed_format_file = rule(
    implementation = _packed_format_file_impl,
    doc = "Renders the packed format's field table (tools/oxidizer_tools/packed_format_gen.py).",
    attrs = {
        "form": attr.string(
            mandatory = True,
            values = ["c_header", "markdown_table"],
            doc = "`c_header`: runtime/include/oxidizer/packed_fields.h; `markdown_table`: the " +
                  "`packed-fields` section of docs/packed-format-notes.md, with its BEGIN/END lines.",
        ),
        "out": attr.string(mandatory = True, doc = "Output path, relative to the package."),
        "_tool": attr.label(
            default = Label("//tools:packed_format_gen"),
            cfg = "exec",
            doc = "tools/oxidizer_tools/packed_format_gen.py as an `oxidizer_py_tool`.",
        ),
    },
)
