"""Rules that write the forms of the interpreter settings declaration other layers read."""

load(":interpreter_settings.bzl", "interpreter_settings_c_header", "interpreter_settings_markdown")

def _settings_header_impl(ctx):
    out = ctx.actions.declare_file(ctx.attr.out)
    ctx.actions.write(out, interpreter_settings_c_header())
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

interpreter_settings_header = rule(
    implementation = _settings_header_impl,
    doc = "Writes the C header declaring `oxidizer_settings` (one field per runtime setting).",
    attrs = {
        "out": attr.string(mandatory = True, doc = "Output path, relative to the package."),
    },
)

def _settings_table_impl(ctx):
    out = ctx.actions.declare_file(ctx.attr.out)
    ctx.actions.write(out, interpreter_settings_markdown())
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

interpreter_settings_table = rule(
    implementation = _settings_table_impl,
    doc = "Writes the markdown table of every interpreter setting (the one in docs/rules.md).",
    attrs = {
        "out": attr.string(mandatory = True, doc = "Output path, relative to the package."),
    },
)
