"""Generates the C file that embeds the packed resources and the interpreter config.

The blobs are pulled in with the assembler's `.incbin`, so no giant C array is ever
compiled; the config is a `const oxidizer_config` initializer (runtime/include/oxidizer/config.h).
"""

from __future__ import annotations

import hashlib
import os
import struct
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from oxidizer_tools import entry_points, licenses, manifest_pb2

RUN_MODES = {
    "main": "OXIDIZER_RUN_MAIN_RESOURCE",
    "module": "OXIDIZER_RUN_MODULE",
    "command": "OXIDIZER_RUN_COMMAND",
    "repl": "OXIDIZER_RUN_REPL",
    "file": "OXIDIZER_RUN_FILE",
}
PROFILES = {"isolated": "OXIDIZER_PROFILE_ISOLATED", "python": "OXIDIZER_PROFILE_PYTHON"}
BYTES_WARNING = {"none": 0, "warn": 1, "raise": 2}
CHECK_HASH_PYCS_MODES = ("default", "always", "never")
# PyMemAllocatorName values (CPython's Include/cpython/pymem.h); checked by interpreter.c.
ALLOCATORS = {
    "not-set": 0,
    "default": 1,
    "debug": 2,
    "malloc": 3,
    "malloc-debug": 4,
    "py-malloc": 5,
    "py-malloc-debug": 6,
}
START_METHODS = ("", "fork", "forkserver", "spawn")
# Tri-state settings: -1 keeps the profile's default.
TRISTATE = (
    "buffered_stdio",
    "utf8_mode",
    "development_mode",
    "inspect",
    "interactive",
    "quiet",
    "write_bytecode",
    "parse_argv",
    "user_site_directory",
    "fault_handler",
)

# The memory-mapped packed resources file (binary-relative-memory-mapped:FILE):
#   magic "OXPACKS1", SHA-256 of the contents (32 bytes), u32 count, u32 zero,
#   count entries of (u64 offset, u64 length, u32 name length, name bytes),
#   then the blobs, each at a 16-byte aligned offset. Little-endian.
# The binary embeds the digest; the runtime refuses a file whose digest differs.
MAPPED_MAGIC = b"OXPACKS1"


class EmbedError(Exception):
    """Bad configuration."""


@dataclass(frozen=True)
class EmbedConfig:
    """Everything the generated file holds."""

    run_mode: str
    run_target: str
    blobs: tuple[tuple[str, str], ...]  # (name, exec path), searched in order
    sys_frozen: bool
    site_import: bool
    filesystem_importer: bool
    optimization_level: int
    module_search_paths: tuple[str, ...]
    relative_path_origin: str = ""
    virtual_module_file: bool = False
    config_profile: str = "isolated"
    sys_meipass: bool = False
    oxidized_importer: bool = True
    argvb: bool = False
    bytes_warning: str = "none"
    buffered_stdio: int = -1
    utf8_mode: int = -1
    development_mode: int = -1
    inspect: int = -1
    interactive: int = -1
    quiet: int = -1
    verbose: int = -1
    write_bytecode: int = -1
    parse_argv: int = -1
    user_site_directory: int = -1
    fault_handler: int = -1
    tracemalloc: int = -1
    hash_seed: int = -1
    stdio_encoding: str = ""
    stdio_errors: str = ""
    warn_options: tuple[str, ...] = ()
    x_options: tuple[str, ...] = ()
    check_hash_pycs_mode: str = "default"
    write_modules_directory_env: str = ""
    terminfo_dirs: str = ""
    ca_probe: bool = True
    allocator: str = ""
    multiprocessing_auto_dispatch: bool = True
    multiprocessing_start_method: str = ""
    load_mode: str = "embedded"  # embedded, mapped or none
    mapped_name: str = ""  # FILE of binary-relative-memory-mapped:FILE
    mapped_digest: bytes = b""
    # Top-level names of extension modules linked into the binary (PyInit_<name>).
    builtin_extensions: tuple[str, ...] = ()
    # Built-in modules of the distribution left out (extension_module_filter).
    excluded_builtins: tuple[str, ...] = ()
    # Exec path of the distribution's licences file (tools/oxidizer_tools/licenses.py),
    # carried in a non-allocated ELF section: never mapped, never read at start-up.
    licenses_file: str = ""


def c_string(text: str) -> str:
    """A C string literal for any text: printable ASCII kept, everything else octal-escaped."""
    out = []
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        if ch in '"\\?':
            out.append("\\" + ch)
        elif 0x20 <= byte < 0x7F:
            out.append(ch)
        else:
            out.append(f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


def _asm_path(path: str) -> str:
    if '"' in path or "\\" in path or "\n" in path:
        raise EmbedError(f"cannot embed {path!r}: quote, backslash or newline in path")
    return path


def _check(config: EmbedConfig) -> None:
    if config.run_mode not in RUN_MODES:
        raise EmbedError(f"unknown run mode {config.run_mode!r}")
    if config.config_profile not in PROFILES:
        raise EmbedError(f"unknown config profile {config.config_profile!r}")
    if config.bytes_warning not in BYTES_WARNING:
        raise EmbedError(f"unknown bytes_warning {config.bytes_warning!r}")
    if config.check_hash_pycs_mode not in CHECK_HASH_PYCS_MODES:
        raise EmbedError(f"unknown check_hash_pycs_mode {config.check_hash_pycs_mode!r}")
    if config.allocator and config.allocator not in ALLOCATORS:
        raise EmbedError(f"unknown allocator {config.allocator!r}")
    if config.multiprocessing_start_method not in START_METHODS:
        raise EmbedError(f"unknown multiprocessing start method {config.multiprocessing_start_method!r}")
    for name in TRISTATE:
        if getattr(config, name) not in (-1, 0, 1):
            raise EmbedError(f"{name} must be -1, 0 or 1, got {getattr(config, name)}")
    for name in ("verbose", "tracemalloc"):
        if getattr(config, name) < -1:
            raise EmbedError(f"{name} must be >= -1, got {getattr(config, name)}")
    if not -1 <= config.hash_seed <= 4294967295:
        raise EmbedError(f"hash_seed must be between 0 and 4294967295, got {config.hash_seed}")
    if config.load_mode not in ("embedded", "mapped", "none"):
        raise EmbedError(f"unknown load mode {config.load_mode!r}")
    if config.load_mode == "mapped" and (not config.mapped_name or len(config.mapped_digest) != 32):
        raise EmbedError("the mapped load mode needs a file name and a SHA-256 digest")
    if config.run_mode == "main" and config.load_mode == "none":
        raise EmbedError("run mode main needs packed resources")


def _string_list(name: str, values: Sequence[str]) -> list[str]:
    lines = [f"static const char *const {name}[] = {{"]
    lines += [f"    {c_string(v)}," for v in values]
    lines += ["    0,", "};"]
    return lines


def _optional_string(value: str) -> str:
    return c_string(value) if value else "0"


def _excluded_builtins(names: Sequence[str]) -> list[str]:
    """The names interpreter.c removes from the inittab before start-up."""
    for name in names:
        if not all(p.isidentifier() and p.isascii() for p in name.split(".")):
            raise EmbedError(f"excluded built-in {name!r} is not a module name")
    lines = ["static const char *const excluded_builtins[] = {"]
    lines += [f"    {c_string(name)}," for name in sorted(set(names))]
    if not names:
        lines.append("    0,")
    return lines + ["};", ""]


def _builtin_extensions(names: Sequence[str]) -> list[str]:
    """The PyInit_ declarations and the table interpreter.c appends to the inittab.

    Dotted names are registered whole (the inittab is keyed by full name); the init
    function is named after the last component, as for any extension module.
    """
    symbols: dict[str, str] = {}
    for name in names:
        parts = name.split(".")
        if not all(p.isidentifier() and p.isascii() for p in parts):
            raise EmbedError(f"built-in extension name {name!r} is not a module name")
        symbol = f"PyInit_{parts[-1]}"
        if symbol in symbols:
            raise EmbedError(f"built-in extensions {symbols[symbol]!r} and {name!r} both need {symbol}")
        symbols[symbol] = name
    lines = [f"extern struct _object *{symbol}(void);" for symbol in symbols]
    lines.append("static const oxidizer_builtin_extension builtin_extensions[] = {")
    lines += [f"    {{{c_string(name)}, {symbol}}}," for symbol, name in symbols.items()]
    if not names:
        lines.append("    {0, 0},")
    lines += ["};", ""]
    return lines


def generate(config: EmbedConfig) -> str:
    _check(config)
    # Only embedded blobs are .incbin'ed; the mapped file is read at run time.
    embedded = config.blobs if config.load_mode == "embedded" else ()
    lines = [
        "/* Generated by rules_oxidizer (tools/oxidizer_tools/embed.py). Do not edit. */",
        "#include <stdint.h>",
        '#include "oxidizer/config.h"',
        "",
    ]
    for index, (_, path) in enumerate(embedded):
        sym = f"oxidizer_blob_{index}"
        asm = (
            f'".section .rodata.oxidizer_blob_{index},\\"a\\",@progbits\\n"'
            f'".balign 16\\n"'
            f'"{sym}:\\n"'
            f'".incbin \\"{_asm_path(path)}\\"\\n"'
            f'"{sym}_end:\\n"'
            f'".previous\\n"'
        )
        lines += [
            f"__asm__({asm});",
            f'extern const uint8_t {sym}[] __attribute__((visibility("hidden")));',
            f'extern const uint8_t {sym}_end[] __attribute__((visibility("hidden")));',
        ]
    if config.licenses_file:
        # Flags "" = not SHF_ALLOC: the linker keeps the section in the file, not in memory.
        asm = (
            f'".section {licenses.SECTION},\\"\\",@progbits\\n"'
            f'".incbin \\"{_asm_path(config.licenses_file)}\\"\\n"'
            f'".previous\\n"'
        )
        lines.append(f"__asm__({asm});")
    lines.append("")
    lines.append("static const oxidizer_packed_blob blobs[] = {")
    for index, (name, _) in enumerate(embedded):
        lines.append(f"    {{oxidizer_blob_{index}, oxidizer_blob_{index}_end, {c_string(name)}}},")
    if not embedded:
        lines.append("    {0, 0, 0},")
    lines.append("};")
    lines.append("")
    lines += _builtin_extensions(config.builtin_extensions)
    lines += _excluded_builtins(config.excluded_builtins)
    lines += _string_list("module_search_paths", config.module_search_paths)
    lines += _string_list("warn_options", config.warn_options)
    lines += _string_list("x_options", config.x_options)
    digest = ", ".join(f"0x{b:02x}" for b in config.mapped_digest) if config.mapped_digest else "0"
    load_mode = {"embedded": "OXIDIZER_LOAD_EMBEDDED", "mapped": "OXIDIZER_LOAD_MAPPED", "none": "OXIDIZER_LOAD_NONE"}
    lines += [
        "",
        "const oxidizer_config oxidizer_embedded_config = {",
        f"    .run_mode = {RUN_MODES[config.run_mode]},",
        f"    .run_target = {c_string(config.run_target)},",
        f"    .sys_frozen = {int(config.sys_frozen)},",
        f"    .site_import = {int(config.site_import)},",
        f"    .filesystem_importer = {int(config.filesystem_importer)},",
        f"    .oxidized_importer = {int(config.oxidized_importer)},",
        f"    .optimization_level = {config.optimization_level},",
        f"    .write_bytecode = {config.write_bytecode},",
        f"    .buffered_stdio = {config.buffered_stdio},",
        f"    .user_site_directory = {config.user_site_directory},",
        f"    .ignore_environment = {int(config.config_profile == 'isolated')},",
        "    .module_search_paths = module_search_paths,",
        f"    .virtual_module_file = {int(config.virtual_module_file)},",
        f"    .relative_path_origin = {c_string(config.relative_path_origin)},",
        "    .packed_blobs = blobs,",
        f"    .packed_blob_count = {len(embedded)},",
        f"    .config_profile = {PROFILES[config.config_profile]},",
        f"    .sys_meipass = {int(config.sys_meipass)},",
        f"    .argvb = {int(config.argvb)},",
        f"    .bytes_warning = {BYTES_WARNING[config.bytes_warning]},",
        f"    .utf8_mode = {config.utf8_mode},",
        f"    .development_mode = {config.development_mode},",
        f"    .inspect = {config.inspect},",
        f"    .interactive = {config.interactive},",
        f"    .quiet = {config.quiet},",
        f"    .verbose = {config.verbose},",
        f"    .parse_argv = {config.parse_argv},",
        f"    .fault_handler = {config.fault_handler},",
        f"    .tracemalloc = {config.tracemalloc},",
        f"    .use_hash_seed = {int(config.hash_seed >= 0)},",
        f"    .hash_seed = {max(config.hash_seed, 0)}u,",
        f"    .stdio_encoding = {_optional_string(config.stdio_encoding)},",
        f"    .stdio_errors = {_optional_string(config.stdio_errors)},",
        "    .warn_options = warn_options,",
        "    .x_options = x_options,",
        f"    .check_hash_pycs_mode = {c_string(config.check_hash_pycs_mode)},",
        f"    .write_modules_directory_env = {_optional_string(config.write_modules_directory_env)},",
        f"    .terminfo_dirs = {_optional_string(config.terminfo_dirs)},",
        f"    .allocator = {ALLOCATORS[config.allocator] if config.allocator else -1},",
        f"    .multiprocessing_auto_dispatch = {int(config.multiprocessing_auto_dispatch)},",
        f"    .multiprocessing_start_method = {_optional_string(config.multiprocessing_start_method)},",
        f"    .packed_load_mode = {load_mode[config.load_mode]},",
        f"    .packed_file = {_optional_string(config.mapped_name)},",
        f"    .packed_file_digest = {{{digest}}},",
        "    .builtin_extensions = builtin_extensions,",
        f"    .builtin_extension_count = {len(config.builtin_extensions)},",
        f"    .no_ca_probe = {int(not config.ca_probe)},",
        "    .excluded_builtins = excluded_builtins,",
        f"    .excluded_builtin_count = {len(set(config.excluded_builtins))},",
        "};",
        "",
    ]
    return "\n".join(lines)


def write_mapped(output: Path, blobs: Sequence[tuple[str, str]]) -> bytes:
    """Writes the memory-mapped packed resources file; returns its content digest."""
    datas = [(name.encode("utf-8"), Path(path).read_bytes()) for name, path in blobs]
    digest = hashlib.sha256()
    for name, data in datas:
        digest.update(struct.pack("<IQ", len(name), len(data)))
        digest.update(name)
        digest.update(data)
    header_len = 8 + 32 + 8 + sum(8 + 8 + 4 + len(name) for name, _ in datas)
    offset = (header_len + 15) & ~15
    entries = []
    layout = []
    for name, data in datas:
        entries.append(struct.pack("<QQI", offset, len(data), len(name)) + name)
        layout.append((offset, data))
        offset = (offset + len(data) + 15) & ~15
    value = digest.digest()
    tmp = output.with_name(output.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(MAPPED_MAGIC + value + struct.pack("<II", len(datas), 0) + b"".join(entries))
        for start, data in layout:
            f.write(b"\0" * (start - f.tell()))
            f.write(data)
    os.replace(tmp, output)
    return value


def run(
    *,
    output: Path,
    run_mode: str,
    run_target: str,
    main_manifest: str,
    run_target_file: str = "",
    blobs: Sequence[str],
    sys_frozen: bool,
    site_import: bool,
    filesystem_importer: bool,
    optimization_level: int,
    module_search_paths: Sequence[str],
    relative_path_origin: str = "",
    virtual_module_file: bool = False,
    mapped_output: str = "",
    mapped_name: str = "",
    entry_point: str = "",
    entry_points_files: Sequence[str] = (),
    licenses_file: str = "",
    **settings: object,
) -> None:
    """Writes the generated C file (and the mapped packed file when `mapped_output` is set).

    `settings` are the remaining `EmbedConfig` fields (config_profile, warn_options, ...).
    """
    unknown = set(settings) - {f for f in EmbedConfig.__dataclass_fields__}
    if unknown:
        raise EmbedError(f"unknown settings {sorted(unknown)}")
    if run_target_file:
        run_target = Path(run_target_file).read_text(encoding="utf-8")
    if licenses_file:
        try:
            licenses.parse(Path(licenses_file).read_bytes(), licenses_file)
        except OSError as e:
            raise EmbedError(f"{licenses_file}: {e.strerror or e}") from e
        except licenses.LicensesError as e:
            raise EmbedError(f"the distribution's licences file: {e}") from e
        settings["licenses_file"] = licenses_file
    if entry_point:
        try:
            entry = entry_points.resolve(entry_point, [Path(p) for p in entry_points_files])
        except entry_points.EntryPointError as e:
            raise EmbedError(str(e)) from e
        run_mode, run_target = "command", entry_points.script_source(entry)
    if run_mode == "main":
        manifest = manifest_pb2.ResourceManifest.FromString(Path(main_manifest).read_bytes())
        if not manifest.main_module:
            raise EmbedError(f"{manifest.target}: the main file was not classified as a module")
        run_target = manifest.main_module
    pairs = []
    for blob in blobs:
        name, sep, path = blob.partition("=")
        if not sep:
            raise EmbedError(f"--blob wants NAME=PATH, got {blob!r}")
        pairs.append((name, path))
    for key in ("warn_options", "x_options", "builtin_extensions", "excluded_builtins"):
        if key in settings:
            settings[key] = tuple(settings[key])  # type: ignore[arg-type]
    if mapped_output:
        if not mapped_name:
            raise EmbedError("--mapped_output needs --mapped_name")
        settings["load_mode"] = "mapped"
        settings["mapped_name"] = mapped_name
        settings["mapped_digest"] = write_mapped(Path(mapped_output), pairs)
    elif not pairs:
        settings.setdefault("load_mode", "none")
    config = EmbedConfig(
        run_mode=run_mode,
        run_target=run_target,
        blobs=tuple(pairs),
        sys_frozen=sys_frozen,
        site_import=site_import,
        filesystem_importer=filesystem_importer,
        optimization_level=optimization_level,
        module_search_paths=tuple(module_search_paths),
        relative_path_origin=relative_path_origin,
        virtual_module_file=virtual_module_file,
        **settings,  # type: ignore[arg-type]
    )
    text = generate(config)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, output)


def main(argv: Sequence[str]) -> None:
    from absl import flags

    f = flags.FLAGS
    tristate = {name: getattr(f, name) for name in TRISTATE}
    try:
        run(
            output=Path(f.output),
            run_mode=f.run_mode,
            run_target=f.run_target,
            main_manifest=f.main_manifest,
            run_target_file=f.run_target_file,
            blobs=f.blob or [],
            sys_frozen=f.sys_frozen,
            site_import=f.site_import,
            filesystem_importer=f.filesystem_importer,
            optimization_level=f.optimization_level,
            module_search_paths=f.module_search_path or [],
            relative_path_origin=f.relative_path_origin,
            virtual_module_file=f.virtual_module_file,
            mapped_output=f.mapped_output,
            mapped_name=f.mapped_name,
            entry_point=f.entry_point,
            entry_points_files=f.entry_points_file or [],
            licenses_file=f.licenses,
            config_profile=f.config_profile,
            sys_meipass=f.sys_meipass,
            oxidized_importer=f.oxidized_importer,
            argvb=f.argvb,
            bytes_warning=f.bytes_warning,
            verbose=f.verbose,
            tracemalloc=f.tracemalloc,
            hash_seed=f.hash_seed,
            stdio_encoding=f.stdio_encoding,
            stdio_errors=f.stdio_errors,
            warn_options=f.warn_option or [],
            x_options=f.x_option or [],
            check_hash_pycs_mode=f.check_hash_pycs_mode,
            write_modules_directory_env=f.write_modules_directory_env,
            terminfo_dirs=f.terminfo_dirs,
            ca_probe=f.ca_probe,
            allocator=f.allocator,
            multiprocessing_auto_dispatch=f.multiprocessing_auto_dispatch,
            multiprocessing_start_method=f.multiprocessing_start_method,
            builtin_extensions=f.builtin_extension or [],
            excluded_builtins=f.exclude_builtin or [],
            **tristate,
        )
    except EmbedError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    from absl import app, flags

    flags.DEFINE_string("output", "", "Generated C file.")
    flags.DEFINE_enum("run_mode", "main", sorted(RUN_MODES), "What the binary runs.")
    flags.DEFINE_string("run_target", "", "Module name (module), source text (command) or path (file).")
    flags.DEFINE_string("run_target_file", "", "File holding run_target (for multi-line commands).")
    flags.DEFINE_string("entry_point", "", "console_scripts name to run (from --entry_points_file).")
    flags.DEFINE_multi_string("entry_points_file", [], "A dist-info entry_points.txt of the binary's deps.")
    flags.DEFINE_string("main_manifest", "", "Manifest whose main_module is run (run_mode=main).")
    flags.DEFINE_multi_string("blob", [], "NAME=EXEC_PATH of a packed resources blob.")
    flags.DEFINE_string("mapped_output", "", "Write the blobs to this file instead of embedding them.")
    flags.DEFINE_string("mapped_name", "", "Path of the mapped file relative to the executable's directory.")
    flags.DEFINE_enum("config_profile", "isolated", sorted(PROFILES), "PyConfig profile.")
    flags.DEFINE_boolean("sys_frozen", True, "Set sys.frozen.")
    flags.DEFINE_boolean("sys_meipass", False, "Set sys._MEIPASS to the executable's directory.")
    flags.DEFINE_boolean("oxidized_importer", True, "Install OxidizedFinder.")
    flags.DEFINE_boolean("site_import", False, "Import site at start-up.")
    flags.DEFINE_boolean("filesystem_importer", False, "Keep the filesystem PathFinder.")
    flags.DEFINE_boolean("argvb", False, "Set sys.argvb.")
    flags.DEFINE_integer("optimization_level", 0, "sys.flags.optimize.")
    flags.DEFINE_multi_string("module_search_path", [], "sys.path entry ($ORIGIN = exe dir).")
    flags.DEFINE_enum("bytes_warning", "none", sorted(BYTES_WARNING), "PyConfig.bytes_warning.")
    for _name in TRISTATE:
        flags.DEFINE_integer(_name, -1, f"PyConfig {_name}: -1 profile default, 0 off, 1 on.")
    flags.DEFINE_integer("verbose", -1, "PyConfig.verbose (-1: profile default).")
    flags.DEFINE_integer("tracemalloc", -1, "PyConfig.tracemalloc frames (-1: profile default).")
    flags.DEFINE_integer("hash_seed", -1, "PyConfig.hash_seed (-1: not set).")
    flags.DEFINE_string("stdio_encoding", "", "PyConfig.stdio_encoding.")
    flags.DEFINE_string("stdio_errors", "", "PyConfig.stdio_errors.")
    flags.DEFINE_multi_string("warn_option", [], "sys.warnoptions entry.")
    flags.DEFINE_multi_string("x_option", [], "-X option.")
    flags.DEFINE_enum("check_hash_pycs_mode", "default", list(CHECK_HASH_PYCS_MODES), "PyConfig.check_hash_pycs_mode.")
    flags.DEFINE_string("write_modules_directory_env", "", "Env var naming where to write loaded modules.")
    flags.DEFINE_string("terminfo_dirs", "", "TERMINFO_DIRS to set when unset.")
    flags.DEFINE_boolean("ca_probe", True, "Set SSL_CERT_FILE/SSL_CERT_DIR from the host's CA store when both are unset.")
    flags.DEFINE_string("allocator", "", "PyPreConfig.allocator name.")
    flags.DEFINE_boolean("multiprocessing_auto_dispatch", True, "Run multiprocessing children.")
    flags.DEFINE_string("multiprocessing_start_method", "", "multiprocessing.set_start_method() at start-up.")
    flags.DEFINE_string("relative_path_origin", "", "Directory (relative to the exe) of relative resources.")
    flags.DEFINE_boolean("virtual_module_file", False, "Give in-memory modules a virtual __file__.")
    flags.DEFINE_multi_string("builtin_extension", [], "Module name of an extension module linked in.")
    flags.DEFINE_multi_string("exclude_builtin", [], "Built-in module of the distribution to leave out.")
    flags.DEFINE_string("licenses", "", "The distribution's licences file, recorded in the binary.")
    from oxidizer_tools import params

    app.run(main, argv=params.tool_argv(sys.argv))
