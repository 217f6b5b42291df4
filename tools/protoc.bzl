"""Python code generated from a .proto file by protoc from grpcio-tools, run as an oxidizer_py_tool."""

load("//oxidizer:internal.bzl", "PyToolInfo", "py_tool", "run_py_tool")

def _py_proto_source_impl(ctx):
    src = ctx.file.src
    out = ctx.actions.declare_file(ctx.attr.out)
    if out.basename != src.basename[:-len(".proto")] + "_pb2.py":
        fail("%s: out %r must be named %s_pb2.py (what protoc writes for %s)" % (
            ctx.label,
            ctx.attr.out,
            src.basename[:-len(".proto")],
            src.basename,
        ))
    args = ctx.actions.args()
    args.add(src.dirname, format = "-I%s")
    args.add(out.dirname, format = "--python_out=%s")
    args.add(src)
    run_py_tool(
        ctx.actions,
        py_tool(ctx.attr._protoc),
        arguments = [args],
        inputs = [src],
        outputs = [out],
        mnemonic = "OxidizerProtoc",
        progress_message = "Generating %s from %s" % (out.short_path, src.short_path),
    )
    return [DefaultInfo(files = depset([out]))]

py_proto_source = rule(
    implementation = _py_proto_source_impl,
    doc = "Generates `<name>_pb2.py` from one .proto file that imports nothing but its own directory.",
    attrs = {
        "src": attr.label(allow_single_file = [".proto"], mandatory = True, doc = "The .proto file."),
        "out": attr.string(mandatory = True, doc = "Output path in the package, ending in `<proto name>_pb2.py`."),
        "_protoc": attr.label(
            default = Label("//tools:protoc"),
            cfg = "exec",
            providers = [PyToolInfo],
        ),
    },
)
