"""Interpreter settings of py_oxidized_binary: cross-setting validation and the settings file.

The settings themselves (name, type, default, allowed values, doc) are declared once in
interpreter_settings.bzl; this file adds the rules that involve more than one setting or a
setting's syntax, and writes the settings file tools/oxidizer_tools/embed.py reads.
"""

load(":interpreter_settings.bzl", "check_setting_values", "interpreter_setting_attrs", "interpreter_settings_json")
load(":paths.bzl", "is_normalized_relative")

WARNING_ACTIONS = ["default", "error", "ignore", "always", "module", "once"]

LOAD_MODE_MAPPED = "binary-relative-memory-mapped:"

# The settings' attributes plus the two entry points that are interpreter modes rather than
# resources (the others, `main`, `run_module`, `run_command`, `entry_point`, are on the rule).
INTERPRETER_ATTRS = dict(interpreter_setting_attrs(), **{
    "run_repl": attr.bool(
        default = False,
        doc = "Entry point: an interactive interpreter, like `python` with no arguments (reads stdin " +
              "as a script when it is not a terminal).",
    ),
    "run_file": attr.string(
        doc = "Entry point: a Python file on the filesystem, run like `python FILE`. A relative path (or one " +
              "starting with `$ORIGIN/`) is resolved against the executable's directory at run time.",
    ),
})

def _fail(ctx, attribute, message):
    fail("%s: attribute %s: %s" % (ctx.label, attribute, message))

def _is_identifier(s):
    if not s or not (s[0].isalpha() or s[0] == "_"):
        return False
    return s.replace("_", "a").isalnum()

def _check_no_newline(ctx, attribute, value):
    if "\n" in value or "\r" in value or "\0" in value:
        _fail(ctx, attribute, "%r contains a line break or NUL" % value)

def packed_resources_mapped_file(ctx):
    """The FILE of `binary-relative-memory-mapped:FILE`, or None for the other load modes.

    Args:
      ctx: the rule context of a binary (reads `packed_resources_load_mode`).

    Returns:
      The path relative to the binary, or None.
    """
    mode = ctx.attr.packed_resources_load_mode
    if mode.startswith(LOAD_MODE_MAPPED):
        return mode[len(LOAD_MODE_MAPPED):]
    return None

def _check_load_mode(ctx):
    mode = ctx.attr.packed_resources_load_mode
    if mode in ("embedded", "none"):
        return
    if not mode.startswith(LOAD_MODE_MAPPED):
        _fail(ctx, "packed_resources_load_mode", "invalid mode %r: expected 'embedded', 'none' or '%sFILE'" % (mode, LOAD_MODE_MAPPED))
    path = mode[len(LOAD_MODE_MAPPED):]
    if not is_normalized_relative(path) or "\\" in path or '"' in path:
        _fail(ctx, "packed_resources_load_mode", "FILE %r must be a normalized relative path (e.g. 'app.pypacked')" % path)

def _check_warn_option(ctx, option):
    fields = option.split(":")
    action = fields[0].strip()
    if len(fields) > 5:
        _fail(ctx, "warn_options", "%r has more than 5 ':'-separated fields (action:message:category:module:lineno)" % option)
    if not action or not [a for a in WARNING_ACTIONS if a.startswith(action)]:
        _fail(ctx, "warn_options", "%r: unknown action %r (expected one of %s)" % (option, action, ", ".join(WARNING_ACTIONS)))
    if len(fields) == 5 and fields[4].strip() and not fields[4].strip().isdigit():
        _fail(ctx, "warn_options", "%r: lineno %r is not a non-negative integer" % (option, fields[4]))

def _check_encoding_name(ctx, attribute, name):
    if not name:
        return
    if not name.replace("-", "_").replace(".", "_").replace("_", "a").isalnum() or not name[0].isalnum():
        _fail(ctx, attribute, "%r is not a codec name (letters, digits, '-', '_', '.')" % name)

def check_interpreter_config(ctx):
    """Fails the build, naming the target and attribute, on invalid or contradictory settings.

    Args:
      ctx: the rule context of a binary.
    """
    attrs = ctx.attr
    check_setting_values(ctx)
    _check_load_mode(ctx)
    filesystem = uses_filesystem_importer(ctx)
    if not attrs.oxidized_importer and not filesystem:
        _fail(ctx, "oxidized_importer", "False needs filesystem_importer = True or module_search_paths: " +
                                        "otherwise no module (not even `encodings`) can be imported")
    if attrs.packed_resources_load_mode == "none" and not filesystem:
        _fail(ctx, "packed_resources_load_mode", "'none' needs filesystem_importer = True or module_search_paths: " +
                                                 "the standard library must come from the filesystem")
    if attrs.main and (attrs.packed_resources_load_mode == "none" or not attrs.oxidized_importer):
        attribute = "oxidized_importer" if not attrs.oxidized_importer else "packed_resources_load_mode"
        _fail(ctx, attribute, "main runs the embedded bytecode of the main file, which needs the " +
                              "oxidized importer and packed resources; use run_module or run_file")
    for path in attrs.module_search_paths:
        if not path:
            _fail(ctx, "module_search_paths", "empty entry")
    if attrs.run_file:
        _check_no_newline(ctx, "run_file", attrs.run_file)
        if attrs.run_file.endswith("/"):
            _fail(ctx, "run_file", "%r names a directory" % attrs.run_file)
    if attrs.use_hash_seed and attrs.hash_seed < 0:
        _fail(ctx, "use_hash_seed", "True needs hash_seed (0 to 2147483647)")
    _check_encoding_name(ctx, "stdio_encoding", attrs.stdio_encoding)
    for option in attrs.warn_options:
        _check_warn_option(ctx, option)
    for option in attrs.x_options:
        name = option.partition("=")[0]
        if not name or not name.replace("-", "_").replace(".", "_").replace("_", "a").isalnum():
            _fail(ctx, "x_options", "%r is not NAME or NAME=VALUE" % option)
    env = attrs.write_modules_directory_env
    if env and not _is_identifier(env):
        _fail(ctx, "write_modules_directory_env", "%r is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)" % env)
    terminfo = attrs.terminfo_resolution
    if terminfo not in ("dynamic", "none"):
        if not terminfo.startswith("static:") or not terminfo[len("static:"):].strip():
            _fail(ctx, "terminfo_resolution", "invalid value %r: expected 'dynamic', 'none' or 'static:DIR[:DIR...]'" % terminfo)
    if attrs.raw_allocator != "system":
        _fail(ctx, "raw_allocator", "%r is not available: the embedded libpython links only the system allocator" % attrs.raw_allocator)
    if attrs.multiprocessing_start_method and not attrs.multiprocessing_auto_dispatch and attrs.multiprocessing_start_method != "fork":
        _fail(ctx, "multiprocessing_start_method", "%r re-executes the binary, which needs multiprocessing_auto_dispatch = True" %
                                                   attrs.multiprocessing_start_method)

def uses_filesystem_importer(ctx):
    """Whether the binary keeps importlib's PathFinder: asked for, or implied by module_search_paths."""
    return ctx.attr.filesystem_importer or len(ctx.attr.module_search_paths) > 0

def write_interpreter_settings(ctx):
    """Writes `<name>.interpreter_settings.json`, the settings file of the embed action; returns it."""
    out = ctx.actions.declare_file(ctx.label.name + ".interpreter_settings.json")
    ctx.actions.write(out, interpreter_settings_json(ctx, overrides = {
        "filesystem_importer": uses_filesystem_importer(ctx),
    }))
    return out
