"""Generates the C file that embeds the packed resources and the interpreter config.

The blobs are pulled in with the assembler's `.incbin`, so no giant C array is ever
compiled; the config is a `const oxidizer_config` initializer (runtime/include/oxidizer/config.h).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from oxidizer_tools import classify, entry_points, licenses, manifest_file, manifest_pb2, trim
from oxidizer_tools import inittab as inittab_file

RUN_MODES = {
    "main": "OXIDIZER_RUN_MAIN_RESOURCE",
    "module": "OXIDIZER_RUN_MODULE",
    "command": "OXIDIZER_RUN_COMMAND",
    "repl": "OXIDIZER_RUN_REPL",
    "file": "OXIDIZER_RUN_FILE",
}
# The settings file, written by the rule from oxidizer/private/interpreter_settings.bzl, read
# by parse_settings(); format: docs/architecture.md, "Formats between actions".
SETTINGS_FORMAT_HELP = '{"settings": {NAME: VALUE, ...}}'

# The memory-mapped packed resources file (binary-relative-memory-mapped:FILE), written by
# write_mapped() and read by runtime/src/mapped_file.c. Layout and what the runtime checks:
# docs/architecture.md, "Formats between actions".
MAPPED_MAGIC = b"OXPACKS1"
# The runtime's own built-in module (runtime/src/oxidized_importer.c) and its init function.
RUNTIME_MODULE = ("oxidized_importer", "PyInit_oxidized_importer")


class EmbedError(Exception):
    """Bad configuration."""


@dataclass(frozen=True)
class Setting:
    """One interpreter setting of the settings file: becomes field `name` of `oxidizer_settings`."""

    name: str
    value: bool | int | str | tuple[str, ...]


@dataclass(frozen=True)
class EmbedConfig:
    """Everything the generated file holds."""

    run_mode: str
    run_target: str
    blobs: tuple[tuple[str, str], ...]  # (name, exec path), searched in order
    settings: tuple[Setting, ...] = ()
    relative_path_origin: str = ""
    load_mode: str = "embedded"  # embedded, mapped or none
    mapped_name: str = ""  # FILE of binary-relative-memory-mapped:FILE
    mapped_digest: bytes = b""
    # Names of extension modules linked into the binary (PyInit_<last component>): rows
    # of the generated `inittab` when there is one, else the table interpreter.c appends
    # to libpython's inittab at start-up.
    builtin_extensions: tuple[str, ...] = ()
    # Built-in modules of the distribution left out (extension_module_filter), removed from
    # libpython's own inittab at start-up; empty when `inittab` is generated.
    excluded_builtins: tuple[str, ...] = ()
    # The binary's own `_PyImport_Inittab` (a libpython whose extension modules link
    # separately): only these modules are linked. None: libpython's inittab is used.
    inittab: tuple[inittab_file.Entry, ...] | None = None
    # The licences of everything linked in (tools/oxidizer_tools/licenses.py): the
    # distribution's components and the runtime's, merged, in canonical form. Carried in a
    # non-allocated ELF section: never mapped, never read at start-up.
    licenses_text: str = ""


def _check_setting(name: str, value: object) -> Setting:
    if not name.isidentifier() or not name.isascii():
        raise EmbedError(f"setting name {name!r} is not a C identifier")
    if isinstance(value, (bool, str)):
        return Setting(name, value)
    if isinstance(value, int) and -(2**63) <= value < 2**63:
        return Setting(name, value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return Setting(name, tuple(value))
    raise EmbedError(f"setting {name}: {value!r} is not a bool, integer, string or list of strings")


def parse_settings(text: str, origin: str) -> tuple[Setting, ...]:
    """Parses a settings file, keeping its order."""
    try:
        data = json.loads(text)
    except ValueError as e:
        raise EmbedError(f"{origin}: not JSON: {e}") from e
    entries = data.get("settings") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or set(data) != {"settings"}:
        raise EmbedError(f"{origin}: expected {SETTINGS_FORMAT_HELP}")
    return tuple(_check_setting(name, value) for name, value in entries.items())


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


def _settings_initializer(settings: Sequence[Setting]) -> tuple[list[str], list[str]]:
    """(static arrays the settings need, the lines of the `.settings = {...}` initializer)."""
    arrays: list[str] = []
    fields: list[str] = []
    for s in settings:
        if isinstance(s.value, tuple):
            arrays += _string_list(f"setting_{s.name}", s.value) + [""]
            value = f"setting_{s.name}"
        elif isinstance(s.value, str):
            value = _optional_string(s.value)
        else:
            value = str(int(s.value))
        fields.append(f"        .{s.name} = {value},")
    return arrays, ["    .settings = {"] + fields + ["    },"]


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


def _builtin_extension_inits(names: Sequence[str]) -> list[tuple[str, str]]:
    """(module name, init function) of each extension module linked in (`ext_modules`).

    Dotted names are registered whole (the inittab is keyed by full name); the init
    function is named after the last component, as for any extension module.
    """
    symbols: dict[str, str] = {}
    for name in names:
        parts = name.split(".")
        if not all(p.isidentifier() and p.isascii() for p in parts):
            raise EmbedError(f"built-in extension name {name!r} is not a module name")
        symbol = f"PyInit_{parts[-1]}"
        if symbol == RUNTIME_MODULE[1]:
            raise EmbedError(f"built-in extension {name!r}: {symbol} is the runtime's {RUNTIME_MODULE[0]}")
        if symbol in symbols:
            raise EmbedError(f"built-in extensions {symbols[symbol]!r} and {name!r} both need {symbol}")
        symbols[symbol] = name
    return [(name, symbol) for symbol, name in symbols.items()]


def _builtin_extensions(inits: Sequence[tuple[str, str]]) -> list[str]:
    """The PyInit_ declarations and the table interpreter.c appends to the inittab
    (`_builtin_extension_inits`; empty when the binary generates its own inittab, which
    holds them)."""
    lines = [f"extern struct _object *{symbol}(void);" for _, symbol in inits]
    lines.append("static const oxidizer_builtin_extension builtin_extensions[] = {")
    lines += [f"    {{{c_string(name)}, {symbol}}}," for name, symbol in inits]
    if not inits:
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
    if config.licenses_text:
        # Flags "" = not SHF_ALLOC: the linker keeps the section in the file, not in memory.
        data = config.licenses_text.encode("utf-8")
        rows = [", ".join(str(b) for b in data[i : i + 32]) for i in range(0, len(data), 32)]
        asm = f'".section {licenses.SECTION},\\"\\",@progbits\\n"'
        asm += "".join(f'".byte {row}\\n"' for row in rows)
        asm += '".previous\\n"'
        lines.append(f"__asm__({asm});")
    lines.append("")
    lines.append("static const oxidizer_packed_blob blobs[] = {")
    for index, (name, _) in enumerate(embedded):
        lines.append(f"    {{oxidizer_blob_{index}, oxidizer_blob_{index}_end, {c_string(name)}}},")
    if not embedded:
        lines.append("    {0, 0, 0},")
    lines.append("};")
    lines.append("")
    # With its own inittab, the binary lists the runtime's oxidized_importer and its own
    # extension modules there, after the distribution's (where the runtime would append
    # them, copying the table): nothing to add at start-up.
    inits = _builtin_extension_inits(config.builtin_extensions)
    appended = inits if config.inittab is None else []
    lines += _builtin_extensions(appended)
    if config.inittab is not None:
        lines += inittab_file.c_source(config.inittab, [RUNTIME_MODULE, *inits])
    lines += _excluded_builtins(config.excluded_builtins)
    settings_arrays, settings_fields = _settings_initializer(config.settings)
    lines += settings_arrays
    digest = ", ".join(f"0x{b:02x}" for b in config.mapped_digest) if config.mapped_digest else "0"
    load_mode = {"embedded": "OXIDIZER_LOAD_EMBEDDED", "mapped": "OXIDIZER_LOAD_MAPPED", "none": "OXIDIZER_LOAD_NONE"}
    lines += [
        "const oxidizer_config oxidizer_embedded_config = {",
        f"    .run_mode = {RUN_MODES[config.run_mode]},",
        f"    .run_target = {c_string(config.run_target)},",
        f"    .relative_path_origin = {c_string(config.relative_path_origin)},",
        "    .packed_blobs = blobs,",
        f"    .packed_blob_count = {len(embedded)},",
        f"    .packed_load_mode = {load_mode[config.load_mode]},",
        f"    .packed_file = {_optional_string(config.mapped_name)},",
        f"    .packed_file_digest = {{{digest}}},",
        "    .builtin_extensions = builtin_extensions,",
        f"    .builtin_extension_count = {len(appended)},",
        "    .excluded_builtins = excluded_builtins,",
        f"    .excluded_builtin_count = {len(set(config.excluded_builtins))},",
        *settings_fields,
        "};",
        "",
    ]
    return "\n".join(lines)


_MODULE_KINDS = (
    manifest_pb2.Resource.MODULE,
    manifest_pb2.Resource.EXTENSION_MODULE,
    manifest_pb2.Resource.NAMESPACE_PACKAGE,
)


def check_binary_resources(
    target: str,
    manifests: Sequence[manifest_pb2.ResourceManifest],
    *,
    run_module: str = "",
    builtin_modules: Sequence[str] = (),
    resource_locations: Sequence[str] = (),
) -> None:
    """Checks what only the binary's groups together can tell, before anything is written.

    run_module: the module `python -m` would run must be embedded (a module, an extension
      module, or a package with a `__main__` submodule) or a built-in module; the rule asks
      only when nothing but the embedded resources can provide it (no filesystem importer).
    resource_locations: the binary's `PATTERN=LOCATION` entries; each pattern must match a
      resource of some group (the app, third-party libraries, `resources`, the stdlib).
    """
    if run_module:
        modules = {r.name: r for m in manifests for r in m.resources if r.kind in _MODULE_KINDS}
        found = modules.get(run_module)
        if found is None and run_module not in builtin_modules:
            groups = ", ".join(m.target for m in manifests if m.target)
            raise EmbedError(
                f"{target}: run_module {run_module!r} is not in the binary: no embedded group "
                f"({groups}) has that module and it is not a built-in module; add the py_library "
                "that provides it to deps (check its `imports` so its path under the import root "
                "names the module), or set filesystem_importer = True to import it from disk"
            )
        if found is not None and found.is_package and f"{run_module}.__main__" not in modules:
            raise EmbedError(
                f"{target}: run_module {run_module!r} is a package without a {run_module}.__main__ "
                "module, so it cannot be run (as `python -m` cannot)"
            )
    patterns = [entry.partition("=")[0] for entry in resource_locations]
    if patterns:
        resources = [r for m in manifests for r in m.resources]
        unmatched = classify.unmatched_patterns(patterns, resources)
        if unmatched:
            raise EmbedError(classify.unmatched_patterns_error(target, unmatched, "the binary's groups"))


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
    main_manifest: str = "",
    run_target_file: str = "",
    blobs: Sequence[str] = (),
    settings_file: str = "",
    relative_path_origin: str = "",
    mapped_output: str = "",
    mapped_name: str = "",
    entry_point: str = "",
    entry_points_files: Sequence[str] = (),
    licenses_files: Sequence[str] = (),
    builtin_extensions: Sequence[str] = (),
    excluded_builtins: Sequence[str] = (),
    target: str = "",
    manifests: Sequence[str] = (),
    check_run_module: bool = False,
    builtin_modules: Sequence[str] = (),
    resource_locations: Sequence[str] = (),
    inittab: str = "",
    modules_keep_list: str = "",
) -> None:
    """Writes the generated C file (and the mapped packed file when `mapped_output` is set).

    With `inittab` (the distribution's inittab file), the binary defines its own inittab
    without `excluded_builtins` and, given `modules_keep_list`, without the extension
    modules the list does not name.

    With `manifests` (the binary's groups, final placement), `check_binary_resources` runs
    first: `run_module` (when `check_run_module`) and the `resource_locations` patterns.
    """
    if manifests:
        parsed = []
        for path in manifests:
            try:
                parsed.append(manifest_file.read(Path(path)))
            except manifest_file.ManifestFileError as e:
                raise EmbedError(f"{target}: {e}") from e
        check_binary_resources(
            target,
            parsed,
            run_module=run_target if run_mode == "module" and check_run_module else "",
            builtin_modules=[*builtin_modules, *builtin_extensions],
            resource_locations=resource_locations,
        )
    settings: tuple[Setting, ...] = ()
    if settings_file:
        try:
            text = Path(settings_file).read_text(encoding="utf-8")
        except OSError as e:
            raise EmbedError(f"{settings_file}: {e.strerror or e}") from e
        settings = parse_settings(text, settings_file)
    if run_target_file:
        run_target = Path(run_target_file).read_text(encoding="utf-8")
    components: list[licenses.Component] = []
    for licenses_file in licenses_files:
        try:
            components += licenses.parse(Path(licenses_file).read_bytes(), licenses_file)
        except OSError as e:
            raise EmbedError(f"{licenses_file}: {e.strerror or e}") from e
        except licenses.LicensesError as e:
            raise EmbedError(f"a licences file: {e}") from e
    names = [c.name for c in components]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise EmbedError(f"components in more than one licences file: {', '.join(twice)}")
    if entry_point:
        try:
            entry = entry_points.resolve(entry_point, [Path(p) for p in entry_points_files])
        except entry_points.EntryPointError as e:
            raise EmbedError(str(e)) from e
        run_mode, run_target = "command", entry_points.script_source(entry)
    if run_mode == "main":
        try:
            manifest = manifest_file.read(Path(main_manifest))
        except manifest_file.ManifestFileError as e:
            raise EmbedError(f"{target}: {e}") from e
        if not manifest.main_module:
            raise EmbedError(f"{manifest.target}: the main file was not classified as a module")
        run_target = manifest.main_module
    pairs = []
    for blob in blobs:
        name, sep, path = blob.partition("=")
        if not sep:
            raise EmbedError(f"--blob wants NAME=PATH, got {blob!r}")
        pairs.append((name, path))
    entries = None
    if inittab:
        entries = _chosen_inittab(inittab, excluded_builtins, modules_keep_list)
        excluded_builtins = ()
        components = linked_components(components, {e.name for e in entries})
    load_mode, digest = "embedded", b""
    if mapped_output:
        if not mapped_name:
            raise EmbedError("--mapped_output needs --mapped_name")
        load_mode = "mapped"
        digest = write_mapped(Path(mapped_output), pairs)
    elif not pairs:
        load_mode = "none"
    config = EmbedConfig(
        run_mode=run_mode,
        run_target=run_target,
        blobs=tuple(pairs),
        settings=settings,
        relative_path_origin=relative_path_origin,
        load_mode=load_mode,
        mapped_name=mapped_name if mapped_output else "",
        mapped_digest=digest,
        builtin_extensions=tuple(builtin_extensions),
        excluded_builtins=tuple(excluded_builtins),
        inittab=entries,
        licenses_text=licenses.dumps(components) if components else "",
    )
    text = generate(config)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, output)


def linked_components(components: Sequence[licenses.Component], linked: set[str]) -> list[licenses.Component]:
    """The components a binary links: a static library brought in only by extension modules
    (its `modules`) is left out when none of them is linked (the binary's own inittab)."""
    return [c for c in components if c.linkage != "static" or not c.modules or linked & set(c.modules)]


def _chosen_inittab(path: str, excluded: Sequence[str], keep_list_path: str) -> tuple[inittab_file.Entry, ...]:
    """The distribution's inittab entries this binary links."""
    keep = None
    try:
        entries = inittab_file.parse(Path(path).read_text(encoding="utf-8"), path)
        if keep_list_path:
            keep = trim.parse_keep_list(Path(keep_list_path).read_text(encoding="utf-8"), keep_list_path)
    except OSError as e:
        raise EmbedError(f"{e.filename}: {e.strerror or e}") from e
    except (inittab_file.InittabError, trim.KeepListError) as e:
        raise EmbedError(str(e)) from e
    return inittab_file.select(entries, frozenset(excluded), keep)


def main(argv: Sequence[str]) -> None:
    from absl import flags

    f = flags.FLAGS
    try:
        run(
            output=Path(f.output),
            run_mode=f.run_mode,
            run_target=f.run_target,
            main_manifest=f.main_manifest,
            run_target_file=f.run_target_file,
            blobs=f.blob or [],
            settings_file=f.settings,
            relative_path_origin=f.relative_path_origin,
            mapped_output=f.mapped_output,
            mapped_name=f.mapped_name,
            entry_point=f.entry_point,
            entry_points_files=f.entry_points_file or [],
            licenses_files=f.licenses or [],
            builtin_extensions=f.builtin_extension or [],
            excluded_builtins=f.exclude_builtin or [],
            target=f.target,
            manifests=f.manifest or [],
            check_run_module=f.check_run_module,
            builtin_modules=f.builtin_module or [],
            resource_locations=f.resource_location or [],
            inittab=f.inittab,
            modules_keep_list=f.modules_keep_list,
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
    flags.DEFINE_string("settings", "", "The binary's interpreter settings file: " + SETTINGS_FORMAT_HELP)
    flags.DEFINE_string("mapped_output", "", "Write the blobs to this file instead of embedding them.")
    flags.DEFINE_string("mapped_name", "", "Path of the mapped file relative to the executable's directory.")
    flags.DEFINE_string("relative_path_origin", "", "Directory (relative to the exe) of relative resources.")
    flags.DEFINE_multi_string("builtin_extension", [], "Module name of an extension module linked in.")
    flags.DEFINE_multi_string("exclude_builtin", [], "Built-in module of the distribution to leave out.")
    flags.DEFINE_string("inittab", "", "The distribution's inittab file: the binary defines its own inittab from it.")
    flags.DEFINE_string("modules_keep_list", "", "With --inittab: extension modules not named are not linked.")
    flags.DEFINE_multi_string("licenses", [], "A licences file (the distribution's, the runtime's), recorded in the binary.")
    flags.DEFINE_string("target", "", "Label of the binary, for messages.")
    flags.DEFINE_multi_string("manifest", [], "Manifest of one of the binary's groups (for the checks).")
    flags.DEFINE_boolean("check_run_module", False, "The run_module must be embedded or built in.")
    flags.DEFINE_multi_string("builtin_module", [], "Built-in or frozen module of the distribution.")
    flags.DEFINE_multi_string("resource_location", [], "PATTERN=LOCATION of the binary; each PATTERN must match.")
    from oxidizer_tools import params

    app.run(main, argv=params.tool_argv(sys.argv))
