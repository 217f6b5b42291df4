"""Analyzes a built executable: format, dynamic dependencies, glibc floor, embedded Python.

ELF files are read with pyelftools and PE files with pefile, so a binary can be checked
on any build machine. The answer tells a user where the binary will run: which shared
libraries it needs, the newest glibc symbol version it requires, whether it embeds a
static CPython and how many packed-resources blobs it carries.

The glibc floor is the newest `GLIBC_x.y` symbol version needed by the executable or by
any shared object it ships: those in its packed resources (loaded from memory or
extracted) and those in `<name>_lib/` beside it. The symbols that need that version are
named, so a user can tell what raises the floor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from oxidizer_tools.inspect_packed import find_blobs

_GLIBC_VERSION = re.compile(r"^GLIBC_(\d+)\.(\d+)(?:\.(\d+))?$")


class AnalyzeError(Exception):
    """The file cannot be analyzed (unknown format, unreadable, corrupt)."""


@dataclass
class GlibcNeeds:
    """The newest glibc symbol version one ELF file needs, and which symbols need it."""

    file: str  # the path, or `resource NAME` for a shared object inside a packed blob
    version: str
    symbols: list[str] = field(default_factory=list)


@dataclass
class Analysis:
    """What `analyze` found about one file."""

    path: str
    format: str  # "elf" or "pe"
    machine: str
    needed: list[str] = field(default_factory=list)
    glibc_floor: str | None = None  # newest GLIBC_x.y symbol version required (with shipped objects)
    # The file(s) setting the floor and the symbols that need it.
    glibc_floor_needed_by: list[GlibcNeeds] = field(default_factory=list)
    # Every shipped shared object's own floor (the executable's is `glibc_needs`).
    glibc_needs: GlibcNeeds | None = None
    shipped: list[GlibcNeeds] = field(default_factory=list)
    exports_python_api: bool = False  # symbols like Py_InitializeFromConfig present
    packed_blobs: list[dict[str, int]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _glibc_version(version: str) -> tuple[int, int, int] | None:
    match = _GLIBC_VERSION.match(version)
    if not match:
        return None
    major, minor, patch = (int(x or 0) for x in match.groups())
    return major, minor, patch


def _format_version(version: tuple[int, int, int]) -> str:
    return "%d.%d" % version[:2] + (f".{version[2]}" if version[2] else "")


def glibc_needs(stream: IO[bytes], name: str) -> GlibcNeeds | None:
    """The newest glibc version an ELF file's undefined symbols need, and those symbols.

    None when it needs no versioned glibc symbol. Raises AnalyzeError naming `name`.
    """
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile
    from elftools.elf.gnuversions import GNUVerNeedSection, GNUVerSymSection

    try:
        elf = ELFFile(stream)
        versions: dict[int, str] = {}  # version index -> name, of the needed versions
        versym = None
        for section in elf.iter_sections():
            if isinstance(section, GNUVerNeedSection):
                for _, auxiliaries in section.iter_versions():
                    versions.update((aux.entry.vna_other, aux.name) for aux in auxiliaries)
            elif isinstance(section, GNUVerSymSection):
                versym = section
        parsed = {index: v for index, v in ((i, _glibc_version(n)) for i, n in versions.items()) if v is not None}
        if not parsed:
            return None
        newest = max(parsed.values())
        symbols: set[str] = set()
        dynsym = elf.get_section_by_name(".dynsym")
        if versym is not None and dynsym is not None:
            for index, symbol in enumerate(dynsym.iter_symbols()):
                ndx = versym.get_symbol(index).entry["ndx"]
                if isinstance(ndx, int) and parsed.get(ndx & 0x7FFF) == newest:
                    symbols.add(symbol.name)
    except (ELFError, ValueError, KeyError, IndexError) as e:
        raise AnalyzeError(f"{name}: corrupt ELF file: {e}") from e
    return GlibcNeeds(file=name, version=_format_version(newest), symbols=sorted(symbols))


def _shipped_objects(path: Path, data: bytes) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of the ELF shared objects a binary ships: in its packed resources
    (in memory or in an extraction payload) and under `<name>_lib/` beside it."""
    from oxidizer_tools.extraction import ExtractionError, read_payload
    from oxidizer_tools.packed_resources import read_packed_resources

    for blob in find_blobs(data):
        for resource in read_packed_resources(blob.data):
            for value in (resource.in_memory_extension_module_shared_library, resource.in_memory_shared_library):
                if value and value.startswith(b"\x7fELF"):
                    yield f"resource {resource.name} (in memory)", value
            if resource.extraction_payload is not None:
                try:
                    files = read_payload(resource.extraction_payload)[1]
                except ExtractionError:
                    continue
                for extracted in files:
                    if extracted.data.startswith(b"\x7fELF"):
                        yield f"{extracted.path} (extracted)", extracted.data
    lib_dir = path.parent / (path.name + "_lib")
    if lib_dir.is_dir():
        for file in sorted(lib_dir.rglob("*")):
            if file.is_file() and not file.is_symlink():
                with file.open("rb") as f:
                    if f.read(4) != b"\x7fELF":
                        continue
                yield str(file), file.read_bytes()


def _glibc_floor_with_shipped(result: Analysis, path: Path, data: bytes) -> None:
    """Fills the glibc fields of an ELF analysis: the executable and its shipped objects."""
    import io

    with path.open("rb") as f:
        result.glibc_needs = glibc_needs(f, str(path))
    for name, content in _shipped_objects(path, data):
        needs = glibc_needs(io.BytesIO(content), name)
        if needs is not None:
            result.shipped.append(needs)
    every = ([result.glibc_needs] if result.glibc_needs else []) + result.shipped
    if not every:
        return
    newest = max(_glibc_version("GLIBC_" + n.version) or (0, 0, 0) for n in every)
    result.glibc_floor = _format_version(newest)
    result.glibc_floor_needed_by = [n for n in every if _glibc_version("GLIBC_" + n.version) == newest]


def _analyze_elf(path: Path) -> Analysis:
    from elftools.common.exceptions import ELFError
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile

    try:
        with path.open("rb") as f:
            elf = ELFFile(f)
            result = Analysis(path=str(path), format="elf", machine=elf.get_machine_arch())
            for section in elf.iter_sections():
                if isinstance(section, DynamicSection):
                    result.needed += [t.needed for t in section.iter_tags() if t.entry.d_tag == "DT_NEEDED"]
            dynsym = elf.get_section_by_name(".dynsym")
            if dynsym is not None:
                result.exports_python_api = bool(dynsym.get_symbol_by_name("Py_InitializeFromConfig"))
    except (ELFError, ValueError, KeyError) as e:
        raise AnalyzeError(f"{path}: corrupt ELF file: {e}") from e
    return result


def _analyze_pe(path: Path) -> Analysis:
    import pefile

    try:
        pe = pefile.PE(str(path), fast_load=False)
    except pefile.PEFormatError as e:
        raise AnalyzeError(f"{path}: corrupt PE file: {e}") from e
    machine = pefile.MACHINE_TYPE.get(pe.FILE_HEADER.Machine, hex(pe.FILE_HEADER.Machine))
    result = Analysis(path=str(path), format="pe", machine=str(machine))
    for entry in getattr(pe, "DIRECTORY_ENTRY_IMPORT", []):
        result.needed.append(entry.dll.decode("ascii", "replace"))
    exports = getattr(pe, "DIRECTORY_ENTRY_EXPORT", None)
    if exports is not None:
        result.exports_python_api = any(s.name == b"Py_InitializeFromConfig" for s in exports.symbols)
    pe.close()
    return result


def analyze(path: Path) -> Analysis:
    """Analyzes one file; raises AnalyzeError naming the file on bad input."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise AnalyzeError(f"{path}: {e.strerror}") from e
    if data.startswith(b"\x7fELF"):
        result = _analyze_elf(path)
    elif data.startswith(b"MZ"):
        result = _analyze_pe(path)
    else:
        raise AnalyzeError(f"{path}: not an ELF or PE executable")
    result.packed_blobs = [
        {"offset": blob.offset, "version": blob.version, "size": len(blob.data)} for blob in find_blobs(data)
    ]
    if result.format == "elf":
        _glibc_floor_with_shipped(result, path, data)
    return result
