"""Analyzes a built executable: format, dynamic dependencies, glibc floor, embedded Python.

ELF files are read with pyelftools and PE files with pefile, so a binary can be checked
on any build machine. The answer tells a user where the binary will run: which shared
libraries it needs, the newest glibc symbol version it requires, whether it embeds a
static CPython and how many packed-resources blobs it carries.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from oxidizer_tools.inspect_packed import find_blobs

_GLIBC_VERSION = re.compile(r"^GLIBC_(\d+)\.(\d+)(?:\.(\d+))?$")


class AnalyzeError(Exception):
    """The file cannot be analyzed (unknown format, unreadable, corrupt)."""


@dataclass
class Analysis:
    """What `analyze` found about one file."""

    path: str
    format: str  # "elf" or "pe"
    machine: str
    needed: list[str] = field(default_factory=list)
    glibc_floor: str | None = None  # newest GLIBC_x.y symbol version required
    exports_python_api: bool = False  # symbols like Py_InitializeFromConfig present
    packed_blobs: list[dict[str, int]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _glibc_floor(versions: set[str]) -> str | None:
    parsed = []
    for version in versions:
        match = _GLIBC_VERSION.match(version)
        if match:
            parsed.append(tuple(int(x or 0) for x in match.groups()))
    if not parsed:
        return None
    newest = max(parsed)
    return "%d.%d" % newest[:2] + (f".{newest[2]}" if newest[2] else "")


def _analyze_elf(path: Path) -> Analysis:
    from elftools.common.exceptions import ELFError
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile
    from elftools.elf.gnuversions import GNUVerNeedSection

    try:
        with path.open("rb") as f:
            elf = ELFFile(f)
            result = Analysis(path=str(path), format="elf", machine=elf.get_machine_arch())
            versions: set[str] = set()
            for section in elf.iter_sections():
                if isinstance(section, DynamicSection):
                    result.needed += [t.needed for t in section.iter_tags() if t.entry.d_tag == "DT_NEEDED"]
                elif isinstance(section, GNUVerNeedSection):
                    for _, auxiliaries in section.iter_versions():
                        versions.update(aux.name for aux in auxiliaries)
            dynsym = elf.get_section_by_name(".dynsym")
            if dynsym is not None:
                result.exports_python_api = bool(dynsym.get_symbol_by_name("Py_InitializeFromConfig"))
            result.glibc_floor = _glibc_floor(versions)
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
    return result
