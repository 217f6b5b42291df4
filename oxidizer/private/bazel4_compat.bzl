"""Offline Bazel 4 support for consumers: the shim repositories of third_party/bazel4."""

def _copied_repository_impl(rctx):
    # The shim lives inside rules_oxidizer; a repository needs its own root, so link
    # every entry of the shim directory into this one.
    source = rctx.path(rctx.attr.marker).dirname
    for entry in source.readdir():
        rctx.symlink(entry, entry.basename)

copied_repository = repository_rule(
    implementation = _copied_repository_impl,
    doc = "A repository whose files are those of the directory holding `marker`.",
    attrs = {
        "marker": attr.label(mandatory = True, doc = "A file at the root of the directory to expose."),
    },
    local = True,
)
