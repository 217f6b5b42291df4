"""The packaging policy of oxidized_resources and py_oxidized_binary, each attribute declared once.

An attribute's name, type, default(s), allowed values and doc live in `POLICY` below and
nowhere else. Every layer derives what it needs from it:

- the rules' attributes (`policy_attrs`): py_oxidized_binary has the attributes that are not
  `distribution` ones, oxidized_resources all of them;
- the policy struct of a target (`policy_from_attrs`) and of third-party groups
  (`THIRD_PARTY_POLICY`: every attribute at its oxidized_resources default);
- its validation at analysis (`check_policy`, with locations.bzl);
- the policy file each classify action reads (`policy_json`; tools/oxidizer_tools/classify.py's
  `load_policy`, whose key table tools/tests/test_classify.py checks against `POLICY`;
  format in docs/architecture.md, "Action graph"); a binary's own file is also read, with the
  same `load_policy`, by the pack actions that relocate the groups it shares (actions.bzl's
  `relocated_group`).

Types: `string`, `bool`, `int_list`, `string_list` and `string_dict`, as the `attr` module
spells them.
"""

load(":locations.bzl", "check_location", "check_resource_locations")

# Where shared objects go when they cannot live in memory, unless a rule says otherwise.
DEFAULT_FALLBACK = "filesystem-relative:lib"

# The bytecode optimization levels CPython has (`python -O`, `-OO`), for every Starlark layer
# (the policy, the `optimization_level` setting); classify.py's
# OPTIMIZE_LEVELS is checked against it by tools/tests/test_classify.py.
OPTIMIZE_LEVELS = [0, 1, 2]

POLICY_TYPES = ["string", "bool", "int_list", "string_list", "string_dict"]

# The rules that take policy attributes.
BINARY = "py_oxidized_binary"
RESOURCES = "oxidized_resources"

def _policy_attr(name, type, doc, default = None, values = None, distribution = False, binary_default = None, binary_doc = None):
    """One policy attribute.

    Args:
      name: attribute name, and key of the policy file.
      type: one of POLICY_TYPES.
      doc: what it does (markdown).
      default: the default (None: the type's: "", False, [], {}).
      values: allowed values of a string attribute (checked by Bazel when the target loads).
      distribution: about the Python distribution's own resources: only oxidized_resources
        has it (only groups that hold distribution files, `stdlib = True`, are affected);
        other targets get `default`.
      binary_default: py_oxidized_binary's default when it differs from `default`.
      binary_doc: py_oxidized_binary's doc when it differs from `doc`.
    """
    if type not in POLICY_TYPES:
        fail("policy attribute %s: unknown type %s" % (name, type))
    if default == None:
        default = {"string": "", "bool": False, "int_list": [], "string_list": [], "string_dict": {}}[type]
    return struct(
        name = name,
        type = type,
        doc = doc,
        default = default,
        values = values,
        distribution = distribution,
        binary_default = default if binary_default == None else binary_default,
        binary_doc = doc if binary_doc == None else binary_doc,
    )

POLICY = [
    _policy_attr(
        "resources_location",
        "string",
        "Where resources go: `in-memory` (embedded, imported from memory), " +
        "`filesystem-relative:PREFIX` (installed as files under `<binary name>_lib/PREFIX/` " +
        "next to the executable) or `filesystem-extracted` (embedded, extracted on first use " +
        "to a per-user cache directory named by their content hash, imported from there with " +
        "a real `__file__`).",
        default = "in-memory",
    ),
    _policy_attr(
        "resources_location_fallback",
        "string",
        "Location for resources that cannot live at `resources_location` (shared-library " +
        "extension modules when the primary location is in-memory and " +
        "`allow_in_memory_shared_library_loading` is False). Empty: such resources are an error. " +
        "A binary's fallback also applies to the groups it shares (stdlib, third-party): " +
        "`filesystem-extracted` gives one file whose shared objects are extracted once to the " +
        "user's cache.",
        default = DEFAULT_FALLBACK,
    ),
    _policy_attr(
        "include_sources",
        "bool",
        "Embed module source next to bytecode (for `inspect.getsource` and tracebacks).",
        default = True,
    ),
    _policy_attr(
        "compress_sources",
        "bool",
        "Store the embedded source of in-memory modules as zstd frames (resource field " +
        "0x21, a rules_oxidizer extension of the packed format), decompressed only when " +
        "read (`inspect.getsource`, `linecache`, tracebacks); see `compress_bytecode` for bytecode. " +
        "About 4x smaller sources (CPython's stdlib: 11.0 MB to 2.6 MB). False: plain " +
        "field 0x06, readable by PyOxidizer.",
        default = True,
    ),
    _policy_attr(
        "compress_bytecode",
        "bool",
        "Store the in-memory bytecode of modules as zstd frames (resource fields 0x22-0x24, " +
        "a rules_oxidizer extension of the packed format), decompressed when each module is " +
        "imported. A size/start-up trade-off: a stdlib group with it makes `examples/hello` " +
        "29.5 MB -> 22.0 MB (stdlib bytecode 12.1 MB -> 5.2 MB) and the trimmed bench CLI " +
        "8.4 MB -> 7.1 MB, for 16-22% more instructions executed (callgrind: importing the whole " +
        "stdlib 497M -> 606M, the bench CLI 174M -> 202M). False: plain fields 0x07-0x09, " +
        "readable by PyOxidizer.",
    ),
    _policy_attr(
        "bytecode_optimize_levels",
        "int_list",
        "Bytecode optimization levels to compile: any of 0, 1, 2. The binary's " +
        "`optimization_level` picks which one is imported.",
        default = [0],
    ),
    _policy_attr(
        "include_test",
        "bool",
        "Keep modules inside packages named `test`, `tests` or `idle_test` (the stdlib's test suites).",
        # A binary's deps are listed on purpose, so code under a `tests/` directory of the
        # monorepo is kept unless asked otherwise.
        binary_default = True,
        binary_doc = "Keep the app's modules inside packages named `test`, `tests` or `idle_test`. (The stdlib's " +
                     "test suites are governed by the `stdlib` group's own policy.)",
    ),
    _policy_attr(
        "excludes",
        "string_list",
        "fnmatch patterns of module names to leave out, each with its submodules (`tkinter`, `*.tests`).",
    ),
    _policy_attr(
        "includes",
        "string_list",
        "fnmatch patterns of module names to keep, each with its submodules and (for literal " +
        "patterns) the packages above it; everything else is left out. Empty: keep all. " +
        "`excludes` still applies to what is kept; the `main` file is always kept.",
    ),
    _policy_attr(
        "resource_locations",
        "string_dict",
        "Per-resource locations (PyOxidizer's `add_location` set by a resource callback): " +
        "fnmatch pattern -> location (`in-memory`, `filesystem-relative:PREFIX` or " +
        "`filesystem-extracted`). Patterns match " +
        "the whole name of a module, package or extension module, the package of a package " +
        "resource, the distribution of a `.dist-info` file, or the path of a File resource " +
        "(`mypkg` is that package only, `mypkg.*` everything below it). The most specific " +
        "matching pattern wins: one without wildcards first, then the one with more literal " +
        "characters; equally specific patterns giving different locations are an error. " +
        "Resources no pattern matches follow `resources_location`/`resources_location_fallback`.",
    ),
    _policy_attr(
        "include_non_distribution_sources",
        "bool",
        "Embed the source of in-memory modules that are not part of the Python distribution " +
        "(everything but the stdlib); `include_sources = False` overrides it.",
        default = True,
    ),
    _policy_attr(
        "allow_files",
        "bool",
        "Allow `File` resources: files that classify as nothing else (outside every package, " +
        "e.g. `my-bin/tool.sh`, `README.md` at an import root) are kept as files named by their path under the " +
        "import root, installed with their executable bit when filesystem-relative or " +
        "embedded when in-memory. False: such files are skipped.",
    ),
    _policy_attr(
        "resources_handling_mode",
        "string",
        "`classify`: files become typed resources (modules, package resources, extension " +
        "modules, ...). `files`: every input file becomes a `File` resource, unclassified " +
        "(implies `allow_files`); the `main` file is still a module.",
        default = "classify",
        values = ["classify", "files"],
    ),
    _policy_attr(
        "allow_in_memory_shared_library_loading",
        "bool",
        "Let shared-library extension modules live in-memory (packed as field 0x0a; the runtime " +
        "loads them through `memfd_create`). False: they go to `resources_location_fallback`, " +
        "and a `resource_locations` entry placing one in-memory is an error.",
    ),
    _policy_attr(
        "include_distribution_sources",
        "bool",
        "Embed the source of the distribution's in-memory stdlib modules " +
        "(`include_sources = False` overrides it).",
        default = True,
        distribution = True,
    ),
    _policy_attr(
        "include_distribution_resources",
        "bool",
        "Keep the distribution's package resources (non-module files in stdlib packages, " +
        "e.g. `ensurepip/_bundled/*.whl`, `idlelib/Icons`, `venv/scripts`).",
        distribution = True,
    ),
    _policy_attr(
        "extension_module_filter",
        "string",
        "Which of the distribution's shared-library extension modules (`lib-dynload`) to keep: " +
        "`all`; `minimal` (only those needed to start the interpreter: none with a libpython " +
        "that has them built in); `no-libraries` (those whose `DT_NEEDED` names only libc, libm, " +
        "libpthread, libdl, libutil, librt or ld-linux); `no-copyleft` (those linking no GPL, " +
        "LGPL or Sleepycat library: drops `readline`, `_dbm`, `_gdbm`, `_crypt`, `nis`; " +
        "`no-gpl` is the same).",
        default = "all",
        values = ["all", "minimal", "no-libraries", "no-copyleft", "no-gpl"],
        distribution = True,
    ),
]

def _attr(p, rule):
    default = p.binary_default if rule == BINARY else p.default
    doc = p.binary_doc if rule == BINARY else p.doc
    if p.type == "string":
        if p.values:
            return attr.string(default = default, values = p.values, doc = doc)
        return attr.string(default = default, doc = doc)
    if p.type == "bool":
        return attr.bool(default = default, doc = doc)
    if p.type == "int_list":
        return attr.int_list(default = default, doc = doc)
    if p.type == "string_list":
        return attr.string_list(default = default, doc = doc)
    return attr.string_dict(default = default, doc = doc)

def policy_attrs(rule):
    """The policy attributes of one rule, keyed by name.

    Args:
      rule: BINARY (py_oxidized_binary: no `distribution` attributes, its own defaults) or
        RESOURCES (oxidized_resources: every attribute).

    Returns:
      A dict of attribute name -> `attr.*` object.
    """
    if rule not in (BINARY, RESOURCES):
        fail("policy_attrs: unknown rule %s" % rule)
    return {
        p.name: _attr(p, rule)
        for p in POLICY
        if rule == RESOURCES or not p.distribution
    }

def policy_from_attrs(attrs):
    """The packaging policy of a rule's attributes.

    Args:
      attrs: `ctx.attr` of a rule with `policy_attrs(...)`.

    Returns:
      A struct with one field per policy attribute; an attribute the rule does not have
      (the `distribution` ones, on py_oxidized_binary) is at its default.
    """
    return struct(**{
        p.name: getattr(attrs, p.name) if hasattr(attrs, p.name) else p.default
        for p in POLICY
    })

# The policy of third-party groups (py_library targets of other repositories: PyPI wheels),
# which every binary shares: oxidized_resources' defaults (PyOxidizer's, without the
# distributions' test suites). A binary moves their resources with its own
# `resource_locations` and `allow_in_memory_shared_library_loading` (see actions.bzl's
# `relocated_group`).
THIRD_PARTY_POLICY = struct(**{p.name: p.default for p in POLICY})

def check_policy(ctx):
    """Fails the build, naming the target and attribute, on an invalid location or optimization level.

    Args:
      ctx: the rule context of a rule with `policy_attrs(...)`.
    """
    check_location(ctx, "resources_location")
    check_location(ctx, "resources_location_fallback", allow_empty = True)
    check_resource_locations(ctx)
    for level in ctx.attr.bytecode_optimize_levels:
        if level not in OPTIMIZE_LEVELS:
            fail("%s: attribute bytecode_optimize_levels: %d is not 0, 1 or 2" % (ctx.label, level))
    if not ctx.attr.bytecode_optimize_levels:
        fail("%s: attribute bytecode_optimize_levels must not be empty" % ctx.label)

def policy_json(policy, extension_suffixes, distribution_roots, check_resource_locations):
    """The policy file of one classify action.

    Format (read by tools/oxidizer_tools/classify.py's `load_policy`, which rejects a
    missing or unknown key): a JSON object with

    - `policy`: every attribute of `POLICY`, by name, in declaration order;
      `resource_locations` as a sorted list of `PATTERN=LOCATION` strings (as embed's
      `--resource_location` flags spell them);
    - `extension_suffixes`: the distribution's extension module suffixes;
    - `distribution_roots`: runfiles directories of the distribution (stdlib, lib-dynload);
    - `check_resource_locations`: every `resource_locations` pattern must match a resource
      of this group.

    Args:
      policy: the packaging policy (`policy_from_attrs` or `THIRD_PARTY_POLICY`).
      extension_suffixes: list of strings.
      distribution_roots: list of strings.
      check_resource_locations: bool.

    Returns:
      The file's text.
    """
    values = {}
    for p in POLICY:
        value = getattr(policy, p.name)
        if p.type == "string_dict":
            value = ["%s=%s" % item for item in sorted(value.items())]
        values[p.name] = value
    return json.encode_indent({
        "policy": values,
        "extension_suffixes": extension_suffixes,
        "distribution_roots": distribution_roots,
        "check_resource_locations": check_resource_locations,
    }, indent = "  ") + "\n"
