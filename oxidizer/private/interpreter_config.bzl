"""Interpreter settings of py_oxidized_binary: attributes, validation, embed-tool flags.

Each setting maps onto a field of `oxidizer_config` (runtime/include/oxidizer/config.h),
written by tools/oxidizer_tools/embed.py and applied by runtime/src/interpreter.c.

Settings that are "bool or None" in PyOxidizer's `PythonInterpreterConfig` are integers here,
like Bazel's own `stamp`: `-1` keeps the `config_profile`'s default, `0` is off, `1` is on.
"""

_TRISTATE = [-1, 0, 1]

def _tristate(doc):
    return attr.int(default = -1, values = _TRISTATE, doc = doc + " `-1`: the `config_profile`'s default; `0`: off; `1`: on.")

# PyPreConfig.allocator names, as PyOxidizer spells them.
ALLOCATORS = ["", "not-set", "default", "debug", "malloc", "malloc-debug", "py-malloc", "py-malloc-debug"]

# Error handlers of the `codecs` module that exist without registering anything.
STDIO_ERRORS = [
    "strict",
    "ignore",
    "replace",
    "backslashreplace",
    "surrogateescape",
    "surrogatepass",
    "xmlcharrefreplace",
    "namereplace",
]

WARNING_ACTIONS = ["default", "error", "ignore", "always", "module", "once"]

LOAD_MODE_MAPPED = "binary-relative-memory-mapped:"

INTERPRETER_ATTRS = {
    "config_profile": attr.string(
        default = "isolated",
        values = ["isolated", "python"],
        doc = "Which CPython configuration the other settings start from: `isolated` " +
              "(`PyConfig_InitIsolatedConfig`: `PYTHON*` environment variables, the user site " +
              "directory and command-line options are ignored; no `.pyc` writing) or `python` " +
              "(`PyConfig_InitPythonConfig`: behaves like the `python` command: environment variables are " +
              "honored and, with `parse_argv`, options like `-c`, `-m`, `-X` are parsed).",
    ),
    "run_repl": attr.bool(
        default = False,
        doc = "Entry point: an interactive interpreter, like `python` with no arguments (reads stdin " +
              "as a script when it is not a terminal).",
    ),
    "run_file": attr.string(
        doc = "Entry point: a Python file on the filesystem, run like `python FILE`. A relative path (or one " +
              "starting with `$ORIGIN/`) is resolved against the executable's directory at run time.",
    ),
    "sys_frozen": attr.bool(default = True, doc = "Set `sys.frozen = True`, as frozen-app tools do."),
    "sys_meipass": attr.bool(
        default = False,
        doc = "Set `sys._MEIPASS` to the executable's directory, as PyInstaller does.",
    ),
    "oxidized_importer": attr.bool(
        default = True,
        doc = "Install `oxidized_importer.OxidizedFinder` at `sys.meta_path[0]`. Off: nothing is " +
              "imported from the packed resources (needs `filesystem_importer` or `module_search_paths`).",
    ),
    "site_import": attr.bool(default = False, doc = "Import `site` at start-up."),
    "filesystem_importer": attr.bool(
        default = False,
        doc = "Keep importlib's filesystem `PathFinder` on `sys.meta_path` (and honor `sys.path`). " +
              "Turned on by a non-empty `module_search_paths`.",
    ),
    "argvb": attr.bool(
        default = False,
        doc = "Set `sys.argvb`: the process arguments as `bytes`, unchanged, the executable first.",
    ),
    "module_search_paths": attr.string_list(
        doc = "The initial `sys.path`. `$ORIGIN` is replaced by the executable's directory at run time. " +
              "Non-empty turns `filesystem_importer` on.",
    ),
    "optimization_level": attr.int(default = 0, doc = "`sys.flags.optimize`: 0, 1 or 2."),
    "bytes_warning": attr.string(
        default = "none",
        values = ["none", "warn", "raise"],
        doc = "`PyConfig.bytes_warning`: `warn` is `python -b`, `raise` is `python -bb`.",
    ),
    "buffered_stdio": _tristate("`PyConfig.buffered_stdio` (`0` is `python -u`)."),
    "stdio_encoding": attr.string(
        doc = "`PyConfig.stdio_encoding`: encoding of `sys.stdin`/`stdout`/`stderr` (a codec name such as " +
              "`utf-8` or `latin-1`). Empty: the locale's.",
    ),
    "stdio_errors": attr.string(
        doc = "`PyConfig.stdio_errors`: error handler of the standard streams, one of " +
              "`" + "`, `".join(STDIO_ERRORS) + "`. Empty: CPython's default.",
    ),
    "utf8_mode": _tristate("`PyPreConfig.utf8_mode` (`python -X utf8`)."),
    "development_mode": _tristate("`PyPreConfig.dev_mode` (`python -X dev`)."),
    "inspect": _tristate("`PyConfig.inspect`: enter the REPL after the entry point, like `python -i`."),
    "interactive": _tristate("`PyConfig.interactive`: force interactive mode even when stdin is not a terminal."),
    "quiet": _tristate("`PyConfig.quiet`: no version banner in the REPL (`python -q`)."),
    "verbose": attr.int(
        default = -1,
        doc = "`PyConfig.verbose` (`python -v`, more for higher values). `-1`: the profile's default.",
    ),
    "write_bytecode": _tristate(
        "`PyConfig.write_bytecode`: write `.pyc` files for modules imported from the filesystem " +
        "(the `isolated` profile's default here is off).",
    ),
    "parse_argv": attr.int(
        default = -1,
        values = _TRISTATE,
        doc = "`PyConfig.parse_argv`: `1` parses the command line like `python` (`-c`, `-m`, `-X`, `-W`, a file; " +
              "relative to the current directory); a `-c`/`-m`/file given on the command line then replaces the " +
              "configured entry point. `-1` and `0`: off in both profiles (the binary's arguments are its own).",
    ),
    "user_site_directory": _tristate("`PyConfig.user_site_directory`: add the user site directory (with `site_import`)."),
    "use_hash_seed": attr.bool(
        default = False,
        doc = "`PyConfig.use_hash_seed`: use `hash_seed` instead of a random hash seed. Needs `hash_seed`.",
    ),
    "hash_seed": attr.int(
        default = -1,
        doc = "`PyConfig.hash_seed` (`PYTHONHASHSEED`), 0 to 2147483647; `0` disables hash randomization. " +
              "Setting it implies `use_hash_seed`. `-1`: not set.",
    ),
    "fault_handler": _tristate("`PyConfig.faulthandler`: install `faulthandler` (`python -X faulthandler`)."),
    "tracemalloc": attr.int(
        default = -1,
        doc = "`PyConfig.tracemalloc`: number of frames `tracemalloc` records (`python -X tracemalloc=N`); " +
              "`0` off, `-1` the profile's default.",
    ),
    "warn_options": attr.string_list(
        doc = "`sys.warnoptions` (`python -W`): `action[:message[:category[:module[:lineno]]]]`.",
    ),
    "x_options": attr.string_list(
        doc = "`sys._xoptions` (`python -X`): `name` or `name=value`.",
    ),
    "check_hash_pycs_mode": attr.string(
        default = "default",
        values = ["default", "always", "never"],
        doc = "`PyConfig.check_hash_pycs_mode`: validation of hash-based `.pyc` files read from the filesystem.",
    ),
    "write_modules_directory_env": attr.string(
        doc = "Name of an environment variable. When it is set at run time, at exit the binary writes the " +
              "names of every module in `sys.modules`, one per line, to `modules-<pid>-<random>` in the " +
              "directory it names (created with its parents), for trimming.",
    ),
    "terminfo_resolution": attr.string(
        default = "dynamic",
        doc = "How `ncurses` finds the terminfo database: `dynamic` and `none` do nothing (the `_curses` " +
              "and `readline` extensions link the system's ncurses, which already knows where its " +
              "database is); `static:DIR[:DIR...]` sets `TERMINFO_DIRS` at start-up unless it is already set.",
    ),
    "tls_ca_probe": attr.bool(
        default = True,
        doc = "When neither `SSL_CERT_FILE` nor `SSL_CERT_DIR` is set, look for the host's CA " +
              "certificates at start-up (the bundle files and directories of Debian/Ubuntu, Fedora/RHEL, " +
              "openSUSE, Alpine and Android, in Go's order) and set those variables to the first file " +
              "and directory found, so `ssl.create_default_context()` trusts the host's store whatever " +
              "directory OpenSSL was compiled with. Processes the binary starts inherit them. " +
              "False leaves the environment alone.",
    ),
    "allocator": attr.string(
        default = "",
        values = ALLOCATORS,
        doc = "`PyPreConfig.allocator`: `not-set`, `default`, `debug`, `malloc`, `malloc-debug`, " +
              "`py-malloc`, `py-malloc-debug` (the debug variants install CPython's memory debug hooks). " +
              "Empty: CPython's default.",
    ),
    "raw_allocator": attr.string(
        default = "system",
        values = ["system", "jemalloc", "rust"],
        doc = "Allocator behind `PYMEM_DOMAIN_RAW`. Only `system` (the C library's `malloc`) is available: " +
              "the embedded libpython links neither jemalloc nor Rust.",
    ),
    "multiprocessing_auto_dispatch": attr.bool(
        default = True,
        doc = "When `multiprocessing` re-executes the binary for a `spawn` or `forkserver` child " +
              "(`--multiprocessing-fork`, or `-c 'from multiprocessing...'`), run multiprocessing's code " +
              "instead of the entry point.",
    ),
    "multiprocessing_start_method": attr.string(
        default = "",
        values = ["", "fork", "forkserver", "spawn"],
        doc = "Call `multiprocessing.set_start_method()` with this method at start-up (imports " +
              "`multiprocessing`). Empty: Python's default (`fork` on Linux).",
    ),
    "packed_resources_load_mode": attr.string(
        default = "embedded",
        doc = "Where the packed resources live: `embedded` (in the executable), " +
              "`binary-relative-memory-mapped:FILE` (written to `FILE` next to the executable and " +
              "memory-mapped at run time), or `none` (no packed resources: built-in and frozen modules " +
              "and the filesystem importer only; needs `filesystem_importer` or `module_search_paths`).",
    ),
    "module_file": attr.bool(
        default = False,
        doc = "Give in-memory modules a virtual `__file__` under the executable's directory " +
              "(`<exe dir>/<package path>/<module>.py`; no file exists there). Off by default, " +
              "as in PyOxidizer, where in-memory modules have no `__file__`.",
    ),
}

def _fail(ctx, attribute, message):
    fail("%s: attribute %s: %s" % (ctx.label, attribute, message))

def _is_identifier(s):
    if not s or not (s[0].isalpha() or s[0] == "_"):
        return False
    return s.replace("_", "a").isalnum()

def _is_normalized_relative(path):
    if not path or path.startswith("/") or path.endswith("/"):
        return False
    for part in path.split("/"):
        if part in ("", ".", ".."):
            return False
    return True

def _check_no_newline(ctx, attribute, value):
    if "\n" in value or "\r" in value or "\0" in value:
        _fail(ctx, attribute, "%r contains a line break or NUL" % value)

def packed_resources_mapped_file(ctx):
    """The FILE of `binary-relative-memory-mapped:FILE`, or None for the other load modes."""
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
    _check_no_newline(ctx, "packed_resources_load_mode", path)
    if not _is_normalized_relative(path) or "\\" in path or '"' in path:
        _fail(ctx, "packed_resources_load_mode", "FILE %r must be a normalized relative path (e.g. 'app.pypacked')" % path)

def _check_warn_option(ctx, option):
    _check_no_newline(ctx, "warn_options", option)
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
    _check_no_newline(ctx, attribute, name)
    if not name.replace("-", "_").replace(".", "_").replace("_", "a").isalnum() or not name[0].isalnum():
        _fail(ctx, attribute, "%r is not a codec name (letters, digits, '-', '_', '.')" % name)

def check_interpreter_config(ctx):
    """Fails the build, naming the target and attribute, on invalid or contradictory settings."""
    attrs = ctx.attr
    if attrs.optimization_level not in (0, 1, 2):
        fail("%s: optimization_level must be 0, 1 or 2" % ctx.label)
    _check_load_mode(ctx)
    filesystem = attrs.filesystem_importer or len(attrs.module_search_paths) > 0
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
        _check_no_newline(ctx, "module_search_paths", path)
        if not path:
            _fail(ctx, "module_search_paths", "empty entry")
    if attrs.run_file:
        _check_no_newline(ctx, "run_file", attrs.run_file)
        if attrs.run_file.endswith("/"):
            _fail(ctx, "run_file", "%r names a directory" % attrs.run_file)
    if attrs.verbose < -1:
        _fail(ctx, "verbose", "%d must be -1 (default) or >= 0" % attrs.verbose)
    if attrs.tracemalloc < -1:
        _fail(ctx, "tracemalloc", "%d must be -1 (default) or >= 0 frames" % attrs.tracemalloc)
    if attrs.hash_seed < -1:
        _fail(ctx, "hash_seed", "%d must be between 0 and 2147483647 (or -1: not set)" % attrs.hash_seed)
    if attrs.use_hash_seed and attrs.hash_seed < 0:
        _fail(ctx, "use_hash_seed", "True needs hash_seed (0 to 2147483647)")
    _check_encoding_name(ctx, "stdio_encoding", attrs.stdio_encoding)
    if attrs.stdio_errors and attrs.stdio_errors not in STDIO_ERRORS:
        _fail(ctx, "stdio_errors", "unknown error handler %r (expected one of %s)" % (attrs.stdio_errors, ", ".join(STDIO_ERRORS)))
    for option in attrs.warn_options:
        _check_warn_option(ctx, option)
    for option in attrs.x_options:
        _check_no_newline(ctx, "x_options", option)
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
        _check_no_newline(ctx, "terminfo_resolution", terminfo)
    if attrs.raw_allocator != "system":
        _fail(ctx, "raw_allocator", "%r is not available: the embedded libpython links only the system allocator" % attrs.raw_allocator)
    if attrs.multiprocessing_start_method and not attrs.multiprocessing_auto_dispatch and attrs.multiprocessing_start_method != "fork":
        _fail(ctx, "multiprocessing_start_method", "%r re-executes the binary, which needs multiprocessing_auto_dispatch = True" %
                                                   attrs.multiprocessing_start_method)

def _bool_flag(args, name, value):
    args.add("--" + name if value else "--no" + name)

def add_interpreter_args(ctx, args):
    """Adds the embed tool's flags for the interpreter settings to `args`."""
    attrs = ctx.attr
    filesystem = attrs.filesystem_importer or len(attrs.module_search_paths) > 0
    args.add(attrs.config_profile, format = "--config_profile=%s")
    _bool_flag(args, "sys_frozen", attrs.sys_frozen)
    _bool_flag(args, "sys_meipass", attrs.sys_meipass)
    _bool_flag(args, "oxidized_importer", attrs.oxidized_importer)
    _bool_flag(args, "site_import", attrs.site_import)
    _bool_flag(args, "filesystem_importer", filesystem)
    _bool_flag(args, "argvb", attrs.argvb)
    args.add_all(attrs.module_search_paths, format_each = "--module_search_path=%s")
    args.add(str(attrs.optimization_level), format = "--optimization_level=%s")
    args.add(attrs.bytes_warning, format = "--bytes_warning=%s")
    for name in [
        "buffered_stdio",
        "utf8_mode",
        "development_mode",
        "inspect",
        "interactive",
        "quiet",
        "verbose",
        "write_bytecode",
        "parse_argv",
        "user_site_directory",
        "fault_handler",
        "tracemalloc",
    ]:
        value = getattr(attrs, name)
        if value != -1:
            args.add("--%s=%d" % (name, value))
    if attrs.hash_seed >= 0:
        args.add(str(attrs.hash_seed), format = "--hash_seed=%s")
    if attrs.stdio_encoding:
        args.add(attrs.stdio_encoding, format = "--stdio_encoding=%s")
    if attrs.stdio_errors:
        args.add(attrs.stdio_errors, format = "--stdio_errors=%s")
    args.add_all(attrs.warn_options, format_each = "--warn_option=%s")
    args.add_all(attrs.x_options, format_each = "--x_option=%s")
    args.add(attrs.check_hash_pycs_mode, format = "--check_hash_pycs_mode=%s")
    if attrs.write_modules_directory_env:
        args.add(attrs.write_modules_directory_env, format = "--write_modules_directory_env=%s")
    if attrs.terminfo_resolution.startswith("static:"):
        args.add(attrs.terminfo_resolution[len("static:"):], format = "--terminfo_dirs=%s")
    if attrs.allocator:
        args.add(attrs.allocator, format = "--allocator=%s")
    _bool_flag(args, "ca_probe", attrs.tls_ca_probe)
    _bool_flag(args, "multiprocessing_auto_dispatch", attrs.multiprocessing_auto_dispatch)
    if attrs.multiprocessing_start_method:
        args.add(attrs.multiprocessing_start_method, format = "--multiprocessing_start_method=%s")
    _bool_flag(args, "virtual_module_file", attrs.module_file)
