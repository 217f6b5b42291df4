"""The rule that writes the forms of the interpreter settings declaration other layers read."""

load(":interpreter_settings.bzl", "interpreter_settings_c_header", "interpreter_settings_markdown")

_FORMS = {
    "c_header": interpreter_settings_c_header,
    "markdown_table": interpreter_settings_markdown,
}

def _interpreter_settings_file_impl(ctx):
    out = ctx.actions.declare_file(ctx.attr.out)
    ctx.actions.write(out, _FORMS[ctx.attr.form]())
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

interpreter_settings_file = rule(
    implementation = _interpreter_settings_file_impl,
    doc = "Writes one form of the interpreter settings declaration (oxidizer/private/interpreter_settings.bzl).",
    attrs = {
        "form": attr.string(
            mandatory = True,
            values = _FORMS.keys(),
            doc = "`c_header`: the C header declaring `oxidizer_settings`, one field per runtime setting; " +
                  "`markdown_table`: the settings table of docs/rules.md.",
        ),
        "out": attr.string(mandatory = True, doc = "Output path, relative to the package."),
    },
)
