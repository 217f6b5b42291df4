"""Third-party Python libraries (PyPI wheels) as resource groups shared by every binary.

`py_library` targets of other repositories (the wheel repositories of `oxidizer_pip_parse`
or rules_python's `pip.parse`, vendored libraries) are classified, compiled and packed once
each, by an aspect on `py_oxidized_binary.deps`: a binary's own code is its app group, each
third-party library is a group of its own, so editing the app re-runs no action of theirs and
every binary using a library reuses the same packed data.
"""

load("@rules_python//python:defs.bzl", "PyInfo")
load(":actions.bzl", "oxidize_resources")
load(":policy.bzl", "THIRD_PARTY_POLICY")
load(":providers.bzl", "PythonDistributionInfo")
load(":tools.bzl", "TOOL_ATTRS", "tools_struct")

ThirdPartyGroupsInfo = provider(
    doc = "The third-party resource groups below a target (private to rules_oxidizer).",
    fields = {
        "groups": ":type: depset[struct(label, info)]\n\nOne per third-party library: its label (string) and OxidizedResourcesInfo.",
        "files": ":type: depset[File]\n\nThe files those groups pack (left out of the binary's app group).",
    },
)

def is_third_party(label):
    """Code of another repository is third-party: it gets THIRD_PARTY_POLICY."""
    return label.workspace_name != ""

def _own_files(rule):
    files = []
    for attr in ("srcs", "data"):
        files.extend(getattr(rule.files, attr, []))
    return files

def _third_party_aspect_impl(target, ctx):
    groups = []
    files = []
    for dep in getattr(ctx.rule.attr, "deps", []):
        if ThirdPartyGroupsInfo in dep:
            groups.append(dep[ThirdPartyGroupsInfo].groups)
            files.append(dep[ThirdPartyGroupsInfo].files)
    direct = []
    own = []
    if PyInfo in target and is_third_party(target.label):
        own = _own_files(ctx.rule)
    if own:
        dist = ctx.attr._distribution[PythonDistributionInfo]
        info = oxidize_resources(
            ctx.actions,
            target.label,
            ctx.workspace_name,
            THIRD_PARTY_POLICY,
            target.label.name + ".oxidized",
            depset(own),
            target[PyInfo].imports.to_list(),
            dist,
            tools_struct(ctx),
        )
        direct.append(struct(label = str(target.label), info = info))
    return [ThirdPartyGroupsInfo(
        groups = depset(direct, transitive = groups),
        files = depset(own, transitive = files),
    )]

third_party_aspect = aspect(
    implementation = _third_party_aspect_impl,
    attr_aspects = ["deps"],
    doc = "Packs each third-party py_library reached through `deps` as its own resource group.",
    attrs = dict(TOOL_ATTRS, **{
        # Third-party groups are compiled by this distribution's interpreter; a binary
        # embedding another one fails with a magic-number message naming the group.
        "_distribution": attr.label(
            default = Label("//oxidizer:distribution"),
            providers = [PythonDistributionInfo],
        ),
    }),
)
