"""The interpreter settings of py_oxidized_binary, each declared once.

A setting's name, type, default, allowed values and doc live in `INTERPRETER_SETTINGS`
below and nowhere else. Every layer derives what it needs from it:

- the rule's attributes (`interpreter_setting_attrs`) and their generic validation;
- the settings file each binary's build writes (`interpreter_settings_json`), which
  tools/oxidizer_tools/embed.py turns into the `.settings` initializer of the binary's config;
- the C struct `oxidizer_settings` (`interpreter_settings_c_header`, generated into
  `oxidizer/settings.h` by //runtime:settings_header), read by the runtime
  (runtime/src/start_config.c turns it into CPython's PyConfig);
- the settings table of docs/rules.md (`interpreter_settings_markdown`, checked by
  //docs:rules_md_settings_test).

Types and their C representation:

| type | attribute | C field |
| --- | --- | --- |
| `bool` | `attr.bool` | `int`, 0 or 1 |
| `tristate` | `attr.int`, `-1`/`0`/`1` | `int`; `-1` keeps the `config_profile`'s default |
| `int` | `attr.int` | `long` |
| `string` | `attr.string` | `const char *`, NULL when empty; with `values`, a `#define` per value |
| `string_list` | `attr.string_list` | `const char *const *`, NULL-terminated, never NULL |

Cross-setting rules (e.g. `oxidized_importer = False` needs a filesystem importer) are in
interpreter_config.bzl.
"""

load(":policy.bzl", "OPTIMIZE_LEVELS")

SETTING_TYPES = ["bool", "tristate", "int", "string", "string_list"]

def _setting(name, type, doc, default = None, values = None, minimum = None, maximum = None, runtime = True):
    """One interpreter setting.

    Args:
      name: attribute name, C field name and key of the settings file.
      type: one of SETTING_TYPES.
      doc: what it does (markdown); becomes the attribute doc and the docs/rules.md row.
      default: the attribute default (None: the type's: False, -1, 0, "", []).
      values: allowed values (string or int settings).
      minimum: smallest allowed int.
      maximum: largest allowed int.
      runtime: False for settings the build consumes (the runtime never sees them).
    """
    if type not in SETTING_TYPES:
        fail("setting %s: unknown type %s" % (name, type))
    if default == None:
        default = {"bool": False, "tristate": -1, "int": 0, "string": "", "string_list": []}[type]
    return struct(
        name = name,
        type = type,
        doc = doc,
        default = default,
        values = values,
        minimum = minimum,
        maximum = maximum,
        runtime = runtime,
    )

# PyPreConfig.allocator names, as PyOxidizer spells them ("" = CPython's default).
ALLOCATORS = ["", "not-set", "default", "debug", "malloc", "malloc-debug", "py-malloc", "py-malloc-debug"]

# Error handlers of the `codecs` module that exist without registering anything.
STDIO_ERRORS = [
    "",
    "strict",
    "ignore",
    "replace",
    "backslashreplace",
    "surrogateescape",
    "surrogatepass",
    "xmlcharrefreplace",
    "namereplace",
]

INTERPRETER_SETTINGS = [
    _setting(
        "config_profile",
        "string",
        "Which CPython configuration the other settings start from: `isolated` " +
        "(`PyConfig_InitIsolatedConfig`: `PYTHON*` environment variables, the user site " +
        "directory and command-line options are ignored; no `.pyc` writing) or `python` " +
        "(`PyConfig_InitPythonConfig`: behaves like the `python` command: environment variables are " +
        "honored and, with `parse_argv`, options like `-c`, `-m`, `-X` are parsed).",
        default = "isolated",
        values = ["isolated", "python"],
    ),
    _setting("sys_frozen", "bool", "Set `sys.frozen = True`, as frozen-app tools do.", default = True),
    _setting("sys_meipass", "bool", "Set `sys._MEIPASS` to the executable's directory, as PyInstaller does."),
    _setting(
        "oxidized_importer",
        "bool",
        "Install `oxidized_importer.OxidizedFinder` at `sys.meta_path[0]`. Off: nothing is " +
        "imported from the packed resources (needs `filesystem_importer` or `module_search_paths`).",
        default = True,
    ),
    _setting("site_import", "bool", "Import `site` at start-up."),
    _setting(
        "filesystem_importer",
        "bool",
        "Keep importlib's filesystem `PathFinder` on `sys.meta_path` (and honor `sys.path`). " +
        "Turned on by a non-empty `module_search_paths`.",
    ),
    _setting("argvb", "bool", "Set `sys.argvb`: the process arguments as `bytes`, unchanged, the executable first."),
    _setting(
        "module_search_paths",
        "string_list",
        "The initial `sys.path`. `$ORIGIN` is replaced by the executable's directory at run time. " +
        "Non-empty turns `filesystem_importer` on.",
    ),
    _setting(
        "optimization_level",
        "int",
        "`sys.flags.optimize`: which bytecode level is imported (it must be in `bytecode_optimize_levels`).",
        values = OPTIMIZE_LEVELS,
    ),
    _setting(
        "bytes_warning",
        "string",
        "`PyConfig.bytes_warning`: `warn` is `python -b`, `raise` is `python -bb`.",
        default = "none",
        values = ["none", "warn", "raise"],
    ),
    _setting("buffered_stdio", "tristate", "`PyConfig.buffered_stdio` (`0` is `python -u`)."),
    _setting(
        "stdio_encoding",
        "string",
        "`PyConfig.stdio_encoding`: encoding of `sys.stdin`/`stdout`/`stderr` (a codec name such as " +
        "`utf-8` or `latin-1`). Empty: the locale's.",
    ),
    _setting(
        "stdio_errors",
        "string",
        "`PyConfig.stdio_errors`: error handler of the standard streams. Empty: CPython's default.",
        values = STDIO_ERRORS,
    ),
    _setting("utf8_mode", "tristate", "`PyPreConfig.utf8_mode` (`python -X utf8`)."),
    _setting("development_mode", "tristate", "`PyPreConfig.dev_mode` (`python -X dev`)."),
    _setting("inspect", "tristate", "`PyConfig.inspect`: enter the REPL after the entry point, like `python -i`."),
    _setting("interactive", "tristate", "`PyConfig.interactive`: force interactive mode even when stdin is not a terminal."),
    _setting("quiet", "tristate", "`PyConfig.quiet`: no version banner in the REPL (`python -q`)."),
    _setting(
        "verbose",
        "int",
        "`PyConfig.verbose` (`python -v`, more for higher values). `-1`: the profile's default.",
        default = -1,
        minimum = -1,
    ),
    _setting(
        "write_bytecode",
        "tristate",
        "`PyConfig.write_bytecode`: write `.pyc` files for modules imported from the filesystem " +
        "(the `isolated` profile's default here is off).",
    ),
    _setting(
        "parse_argv",
        "tristate",
        "`PyConfig.parse_argv`: `1` parses the command line like `python` (`-c`, `-m`, `-X`, `-W`, a file; " +
        "relative to the current directory); a `-c`/`-m`/file given on the command line then replaces the " +
        "configured entry point. `-1` and `0`: off in both profiles (the binary's arguments are its own).",
    ),
    _setting("user_site_directory", "tristate", "`PyConfig.user_site_directory`: add the user site directory (with `site_import`)."),
    _setting(
        "use_hash_seed",
        "bool",
        "`PyConfig.use_hash_seed`: use `hash_seed` instead of a random hash seed. Needs `hash_seed`.",
    ),
    _setting(
        "hash_seed",
        "int",
        "`PyConfig.hash_seed` (`PYTHONHASHSEED`); `0` disables hash randomization. " +
        "Setting it implies `use_hash_seed`. `-1`: not set.",
        default = -1,
        minimum = -1,
        # Bazel's attr.int is a signed 32-bit integer.
        maximum = 2147483647,
    ),
    _setting("fault_handler", "tristate", "`PyConfig.faulthandler`: install `faulthandler` (`python -X faulthandler`)."),
    _setting(
        "tracemalloc",
        "int",
        "`PyConfig.tracemalloc`: number of frames `tracemalloc` records (`python -X tracemalloc=N`); " +
        "`0` off, `-1` the profile's default.",
        default = -1,
        minimum = -1,
    ),
    _setting("warn_options", "string_list", "`sys.warnoptions` (`python -W`): `action[:message[:category[:module[:lineno]]]]`."),
    _setting("x_options", "string_list", "`sys._xoptions` (`python -X`): `name` or `name=value`."),
    _setting(
        "check_hash_pycs_mode",
        "string",
        "`PyConfig.check_hash_pycs_mode`: validation of hash-based `.pyc` files read from the filesystem.",
        default = "default",
        values = ["default", "always", "never"],
    ),
    _setting(
        "write_modules_directory_env",
        "string",
        "Name of an environment variable. When it is set at run time, at exit the binary writes the " +
        "names of every module in `sys.modules`, one per line, to `modules-<pid>-<random>` in the " +
        "directory it names (created with its parents), for trimming.",
    ),
    _setting(
        "terminfo_resolution",
        "string",
        "How `ncurses` finds the terminfo database: `dynamic` and `none` do nothing (the `_curses` " +
        "and `readline` extensions link the system's ncurses, which already knows where its " +
        "database is); `static:DIR[:DIR...]` sets `TERMINFO_DIRS` at start-up unless it is already set.",
        default = "dynamic",
    ),
    _setting(
        "tls_ca_probe",
        "bool",
        "When neither `SSL_CERT_FILE` nor `SSL_CERT_DIR` is set, look for the host's CA " +
        "certificates at start-up (the bundle files and directories of Debian/Ubuntu, Fedora/RHEL, " +
        "openSUSE, Alpine and Android, in Go's order) and set those variables to the first file " +
        "and directory found, so `ssl.create_default_context()` trusts the host's store whatever " +
        "directory OpenSSL was compiled with. Processes the binary starts inherit them. " +
        "False leaves the environment alone.",
        default = True,
    ),
    _setting(
        "allocator",
        "string",
        "`PyPreConfig.allocator` (the debug variants install CPython's memory debug hooks). " +
        "Empty: CPython's default.",
        values = ALLOCATORS,
    ),
    _setting(
        "raw_allocator",
        "string",
        "Allocator behind `PYMEM_DOMAIN_RAW`. Only `system` (the C library's `malloc`) is available: " +
        "the embedded libpython links neither jemalloc nor Rust.",
        default = "system",
        values = ["system", "jemalloc", "rust"],
        runtime = False,
    ),
    _setting(
        "multiprocessing_auto_dispatch",
        "bool",
        "When `multiprocessing` re-executes the binary for a `spawn` or `forkserver` child " +
        "(`--multiprocessing-fork`, or `-c 'from multiprocessing...'`), run multiprocessing's code " +
        "instead of the entry point.",
        default = True,
    ),
    _setting(
        "multiprocessing_start_method",
        "string",
        "Call `multiprocessing.set_start_method(method, force=True)` at start-up (imports " +
        "`multiprocessing`). Empty: Python's default (`fork` on Linux). PyOxidizer's setting of " +
        "the same name (`none`, `fork`, `forkserver`, `spawn`, `auto`) makes the call when the " +
        "finder imports `multiprocessing`: `none` is `\"\"` here, `auto` is `fork` on Linux.",
        values = ["", "fork", "forkserver", "spawn"],
    ),
    _setting(
        "packed_resources_load_mode",
        "string",
        "Where the packed resources live: `embedded` (in the executable), " +
        "`binary-relative-memory-mapped:FILE` (written to `FILE` next to the executable and " +
        "memory-mapped at run time), or `none` (no packed resources: built-in and frozen modules " +
        "and the filesystem importer only; needs `filesystem_importer` or `module_search_paths`).",
        default = "embedded",
        runtime = False,
    ),
    _setting(
        "module_file",
        "bool",
        "Give in-memory modules a virtual `__file__` under the executable's directory " +
        "(`<exe dir>/<package path>/<module>.py`; no file exists there). Off by default, " +
        "as in PyOxidizer, where in-memory modules have no `__file__`.",
    ),
    _setting(
        "fast_exit",
        "bool",
        "When the entry point returns, end the process without `Py_FinalizeEx()`: join non-daemon " +
        "threads (`threading._shutdown()`), run the `atexit` callbacks, clear `__main__`'s namespace " +
        "(so the `__del__` of objects only it holds run), flush `sys.stdout` and `sys.stderr` (exit " +
        "status 120 when that fails, as `python`), flush every other open buffered file object and C " +
        "stdio, then `_exit()` (or die of SIGINT after an uncaught `KeyboardInterrupt`). Not run: " +
        "the `__del__` of objects other modules still hold, and C `Py_AtExit()` hooks. " +
        "[Guarantees](user-guide.md#exit).",
        default = True,
    ),
    _setting(
        "freeze_imports",
        "bool",
        "Call `gc.freeze()` after each outermost import `OxidizedFinder` executes, so later " +
        "collections skip the imported modules' objects (faster imports and less GC work). " +
        "Trade-off: cyclic garbage that exists at a freeze is never collected.",
    ),
]

_TRISTATE_DOC = " `-1`: the `config_profile`'s default; `0`: off; `1`: on."

def _attr_doc(setting):
    doc = setting.doc
    if setting.type == "tristate":
        doc += _TRISTATE_DOC
    if setting.values and setting.type == "string":
        doc += " One of " + ", ".join(["`%s`" % v for v in setting.values if v]) + "."
    return doc

def interpreter_setting_attrs():
    """The rule attributes of every interpreter setting, keyed by name.

    Allowed values and ranges are checked at analysis (`check_setting_values`), not with
    `attr.*(values = ...)`, so a bad value fails its target with a message naming it and
    the rest of the package still loads.

    Returns:
      A dict of attribute name -> `attr.*` object.
    """
    attrs = {}
    for s in INTERPRETER_SETTINGS:
        doc = _attr_doc(s)
        if s.type == "bool":
            attrs[s.name] = attr.bool(default = s.default, doc = doc)
        elif s.type in ("tristate", "int"):
            attrs[s.name] = attr.int(default = s.default, doc = doc)
        elif s.type == "string":
            attrs[s.name] = attr.string(default = s.default, doc = doc)
        else:
            attrs[s.name] = attr.string_list(default = s.default, doc = doc)
    return attrs

def _range_text(s):
    if s.minimum != None and s.maximum != None:
        return "between %d and %d" % (s.minimum, s.maximum)
    if s.minimum != None:
        return ">= %d" % s.minimum
    return "<= %d" % s.maximum

def _allowed_text(values):
    return ", ".join([repr(v) for v in values])

def check_setting_values(ctx):
    """Fails, naming the target and attribute, on a value the declaration does not allow.

    Args:
      ctx: the rule context of a rule with `interpreter_setting_attrs()`.
    """
    for s in INTERPRETER_SETTINGS:
        value = getattr(ctx.attr, s.name)
        values = [-1, 0, 1] if s.type == "tristate" else s.values
        if values and value not in values:
            fail("%s: attribute %s: %r is not one of %s" % (ctx.label, s.name, value, _allowed_text(values)))
        if s.type == "int" and ((s.minimum != None and value < s.minimum) or (s.maximum != None and value > s.maximum)):
            fail("%s: attribute %s: %d must be %s" % (ctx.label, s.name, value, _range_text(s)))
        for text in (value if s.type == "string_list" else [value] if s.type == "string" else []):
            if "\n" in text or "\r" in text or "\0" in text:
                fail("%s: attribute %s: %r contains a line break or NUL" % (ctx.label, s.name, text))

def interpreter_settings_json(ctx, overrides = {}):
    """The settings file of one binary: the runtime settings' values, in declaration order.

    Format (read by tools/oxidizer_tools/embed.py): `{"settings": {NAME: VALUE, ...}}`, one
    entry per setting with `runtime = True`; `overrides` replaces values the rule derives
    (e.g. `filesystem_importer`).

    Args:
      ctx: the rule context of a rule with `interpreter_setting_attrs()`.
      overrides: setting name -> value used instead of the attribute's.

    Returns:
      The file's text.
    """
    values = {}
    for s in INTERPRETER_SETTINGS:
        if s.runtime:
            values[s.name] = overrides[s.name] if s.name in overrides else getattr(ctx.attr, s.name)
    return json.encode_indent({"settings": values}, indent = "  ") + "\n"

_C_TYPES = {
    "bool": "int",
    "tristate": "int",
    "int": "long",
    "string": "const char *",
    "string_list": "const char *const *",
}

def _c_value_macro(setting, value):
    text = "OXIDIZER_%s_%s" % (setting.name.upper(), value.upper())
    return text.replace("-", "_").replace(".", "_")

def interpreter_settings_c_header():
    """The text of `oxidizer/settings.h`: struct oxidizer_settings and the allowed string values.

    Returns:
      The header's text.
    """
    lines = [
        "/* Generated from oxidizer/private/interpreter_settings.bzl by //runtime:settings_header.",
        " * Do not edit: add or change a setting there. */",
        "#ifndef OXIDIZER_SETTINGS_H",
        "#define OXIDIZER_SETTINGS_H",
        "",
        "/* The user's interpreter settings (see docs/rules.md#interpreter-settings).",
        " * bool and tristate: int (tristate -1 = the profile's default); int: long;",
        " * string: NULL when empty; string_list: NULL-terminated, never NULL. */",
        "typedef struct {",
    ]
    for s in INTERPRETER_SETTINGS:
        if s.runtime:
            c_type = _C_TYPES[s.type]
            sep = "" if c_type.endswith("*") else " "
            lines.append("    %s%s%s; /* %s */" % (c_type, sep, s.name, s.type))
    lines.append("} oxidizer_settings;")
    lines.append("")
    for s in INTERPRETER_SETTINGS:
        if s.runtime and s.type == "string" and s.values:
            for v in s.values:
                if v:
                    lines.append("#define %s \"%s\"" % (_c_value_macro(s, v), v))
    lines += ["", "#endif /* OXIDIZER_SETTINGS_H */", ""]
    return "\n".join(lines)

def _markdown_value(s, value):
    if s.type == "string":
        return "`\"%s\"`" % value
    if s.type == "bool":
        return "`%s`" % ("True" if value else "False")
    if s.type == "string_list":
        return "`[]`" if not value else "`%s`" % value
    return "`%d`" % value

def interpreter_settings_markdown():
    """The settings table of docs/rules.md.

    Returns:
      The Markdown table's text.
    """
    lines = [
        "| Setting | Type | Default | Description |",
        "| :--- | :--- | :--- | :--- |",
    ]
    for s in INTERPRETER_SETTINGS:
        kind = s.type
        if s.values and s.type == "int":
            kind += " (%s)" % ", ".join(["%d" % v for v in s.values])
        elif s.minimum != None or s.maximum != None:
            kind += " (%s)" % _range_text(s)
        lines.append("| <a id=\"setting-%s\"></a>`%s` | %s | %s | %s |" % (
            s.name,
            s.name,
            kind,
            _markdown_value(s, s.default),
            _attr_doc(s).replace("|", "\\|"),
        ))
    return "\n".join(lines) + "\n"
