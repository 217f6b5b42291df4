"""Licences of what a py_oxidized_binary contains: the distribution's components and the
Python distributions (wheels) it embeds.

The licences file of a Python distribution (`PythonDistributionInfo.licenses`, written by
the distribution repository; format in docs/licenses.md) is::

    {"components": [
      {"name": "OpenSSL", "version": "3.0.19-1~deb12u2", "spdx": "Apache-2.0",
       "origin": "Debian libssl-dev (static)", "modules": ["_ssl", "_hashlib"],
       "linkage": "static"},
      ...]}

The embed step validates it and the binary carries it unchanged in the non-allocated ELF
section `.rules_oxidizer.licenses`: it is never mapped into memory, so start-up does not
read it. `oxidizer licenses BINARY` reads that section and the `METADATA` of every
`*.dist-info` embedded in the binary's packed resources.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

# The ELF section holding the distribution's licences file in every binary.
SECTION = ".rules_oxidizer.licenses"

# Where a component's code ends up:
#   static     linked into the executable (part of every binary of the distribution);
#   shared     a system shared library the executable needs at run time (DT_NEEDED);
#   extension  loaded by the listed extension modules, which ship as shared objects
#              (in memory or in `<name>_lib/`): only in binaries that include one of them.
LINKAGES = ("static", "shared", "extension")

_FIELDS = {"name", "version", "spdx", "origin", "modules", "linkage"}
# An SPDX licence expression: identifiers (incl. LicenseRef-...), AND/OR/WITH, parentheses.
_SPDX_TOKEN = re.compile(r"\(|\)|[A-Za-z0-9][A-Za-z0-9.+-]*")
_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class LicensesError(ValueError):
    """A licences file or a binary's licence data is malformed or missing."""


@dataclass(frozen=True)
class Component:
    """One piece of software in a distribution, with its licence."""

    name: str
    version: str
    spdx: str
    origin: str
    modules: tuple[str, ...] = ()
    linkage: str = "static"

    def as_dict(self) -> dict[str, Any]:
        result = asdict(self)
        result["modules"] = list(self.modules)
        return result


def is_spdx_expression(text: str) -> bool:
    """Whether `text` looks like an SPDX licence expression (syntax only)."""
    rest = text.strip()
    tokens: list[str] = []
    while rest:
        match = _SPDX_TOKEN.match(rest)
        if not match:
            return False
        tokens.append(match.group())
        rest = rest[match.end() :].lstrip()
    depth = 0
    operand_expected = True
    for token in tokens:
        if token == "(":
            if not operand_expected:
                return False
            depth += 1
        elif token == ")":
            depth -= 1
            if depth < 0 or operand_expected:
                return False
        elif token in ("AND", "OR", "WITH"):
            if operand_expected:
                return False
            operand_expected = True
        else:
            if not operand_expected:
                return False
            operand_expected = False
    return bool(tokens) and depth == 0 and not operand_expected


def parse(data: bytes | str, source: str) -> list[Component]:
    """Reads and validates a licences file; errors name `source` and the bad entry."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise LicensesError(f"{source}: not a JSON licences file: {e}") from e
    if not isinstance(document, dict) or not isinstance(document.get("components"), list):
        raise LicensesError(f'{source}: expected an object with a "components" list')
    unknown = set(document) - {"components"}
    if unknown:
        raise LicensesError(f"{source}: unknown top-level keys {sorted(unknown)}")
    components = []
    for index, entry in enumerate(document["components"]):
        where = f"{source}: components[{index}]"
        if not isinstance(entry, dict):
            raise LicensesError(f"{where}: expected an object, got {type(entry).__name__}")
        unknown = set(entry) - _FIELDS
        if unknown:
            raise LicensesError(f"{where}: unknown keys {sorted(unknown)}")
        for key in ("name", "version", "spdx", "origin"):
            if not isinstance(entry.get(key), str):
                raise LicensesError(f"{where}: {key!r} must be a string")
        if not entry["name"]:
            raise LicensesError(f"{where}: empty name")
        where = f"{source}: component {entry['name']!r}"
        if not is_spdx_expression(entry["spdx"]):
            raise LicensesError(
                f"{where}: spdx {entry['spdx']!r} is not an SPDX licence expression "
                "(use NOASSERTION when unknown, LicenseRef-... for a licence SPDX does not list)"
            )
        modules = entry.get("modules", [])
        if not isinstance(modules, list) or not all(isinstance(m, str) and _MODULE.match(m) for m in modules):
            raise LicensesError(f"{where}: modules must be a list of module names, got {modules!r}")
        linkage = entry.get("linkage", "static")
        if linkage not in LINKAGES:
            raise LicensesError(f"{where}: linkage {linkage!r} is not one of {', '.join(LINKAGES)}")
        if linkage == "extension" and not modules:
            raise LicensesError(f"{where}: linkage extension needs the modules that load it")
        components.append(
            Component(
                name=entry["name"],
                version=entry["version"],
                spdx=entry["spdx"],
                origin=entry["origin"],
                modules=tuple(modules),
                linkage=linkage,
            )
        )
    names = [c.name for c in components]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise LicensesError(f"{source}: components listed twice: {', '.join(duplicates)}")
    return components


def dumps(components: Iterable[Component]) -> str:
    """The canonical text of a licences file (sorted keys, one component a line)."""
    lines = [json.dumps(c.as_dict(), sort_keys=True) for c in components]
    return '{"components": [\n' + ",\n".join(lines) + "\n]}\n"


@dataclass(frozen=True)
class Package:
    """A Python distribution (wheel) embedded in a binary."""

    name: str
    version: str
    license: str  # License-Expression, else License, else the License classifiers, else UNKNOWN
    resource: str  # the packed resource that holds its metadata


def metadata_license(metadata: str) -> str:
    """The licence a core-metadata file (`METADATA`, `PKG-INFO`) declares, or UNKNOWN."""
    headers = HeaderParser().parsestr(metadata, headersonly=True)
    expression = (headers.get("License-Expression") or "").strip()
    if expression:
        return expression
    # `License` may be a whole licence text: its first line names it well enough.
    text = (headers.get("License") or "").strip()
    if text and text.upper() != "UNKNOWN":
        first = text.splitlines()[0].strip()
        return first if len(first) <= 120 else first[:117] + "..."
    classifiers = [
        c.split("::")[-1].strip()
        for c in headers.get_all("Classifier") or []
        if c.replace(" ", "").startswith("License::")
    ]
    return " / ".join(dict.fromkeys(classifiers)) or "UNKNOWN"


def package_from_metadata(metadata: bytes, resource: str) -> Package:
    text = metadata.decode("utf-8", "replace")
    headers = HeaderParser().parsestr(text, headersonly=True)
    return Package(
        name=(headers.get("Name") or resource).strip(),
        version=(headers.get("Version") or "").strip(),
        license=metadata_license(text),
        resource=resource,
    )


@dataclass
class Report:
    """What `oxidizer licenses` prints for one binary."""

    path: str
    # None: the binary carries no licence data (its distribution has no `licenses`).
    components: list[Component] | None
    # Extension-linkage components whose modules the binary does not include.
    omitted: list[Component] = field(default_factory=list)
    packages: list[Package] = field(default_factory=list)
    # Distributions whose METADATA could not be read (e.g. the `<name>_lib/` directory is missing).
    unreadable: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "components": None if self.components is None else [c.as_dict() for c in self.components],
            "omitted_components": [c.as_dict() for c in self.omitted],
            "packages": [{"name": p.name, "version": p.version, "license": p.license} for p in self.packages],
            "unreadable_packages": self.unreadable,
        }


def read_section(path: Path) -> bytes | None:
    """The licences section of an ELF file, or None; raises LicensesError if not ELF."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile

    try:
        with path.open("rb") as f:
            if f.read(4) != b"\x7fELF":
                raise LicensesError(f"{path}: not an ELF executable, so not an oxidized binary")
            f.seek(0)
            section = ELFFile(f).get_section_by_name(SECTION)
            return None if section is None else section.data()
    except OSError as e:
        raise LicensesError(f"{path}: {e.strerror or e}") from e
    except (ELFError, ValueError, KeyError) as e:
        raise LicensesError(f"{path}: corrupt ELF file: {e}") from e


def _packages(path: Path, blobs: Sequence[bytes]) -> tuple[list[Package], list[str], set[str]]:
    """(embedded packages, unreadable ones, extension module names) of the binary's blobs."""
    from oxidizer_tools.extraction import ExtractionError, read_payload
    from oxidizer_tools.packed_resources import read_packed_resources

    packages: dict[str, Package] = {}
    unreadable: list[str] = []
    extensions: set[str] = set()
    lib_dir = path.parent / (path.name + "_lib")
    for blob in blobs:
        resources = read_packed_resources(blob)
        extracted: dict[str, bytes] = {}
        for r in resources:
            if r.extraction_payload is not None:
                try:
                    extracted = {f.path: f.data for f in read_payload(r.extraction_payload)[1]}
                except ExtractionError:
                    pass
        for r in resources:
            if r.is_extension_module or r.is_builtin_extension_module:
                extensions.add(r.name)
            metadata: bytes | None = None
            if r.in_memory_distribution_resources and "METADATA" in r.in_memory_distribution_resources:
                metadata = r.in_memory_distribution_resources["METADATA"]
            elif r.relative_path_distribution_resources and "METADATA" in r.relative_path_distribution_resources:
                relative = r.relative_path_distribution_resources["METADATA"]
                if r.is_filesystem_extracted:
                    metadata = extracted.get(relative)
                else:
                    try:
                        metadata = (lib_dir / relative).read_bytes()
                    except OSError:
                        metadata = None
            else:
                continue
            if metadata is None:
                unreadable.append(r.name)
                continue
            # The first blob wins, as it does for imports.
            packages.setdefault(r.name, package_from_metadata(metadata, r.name))
    ordered = sorted(packages.values(), key=lambda p: (p.name.lower(), p.version))
    return ordered, sorted(set(unreadable) - set(packages)), extensions


def report(path: Path) -> Report:
    """Reads a binary's licence data; raises LicensesError if it is not an oxidized binary."""
    from oxidizer_tools.inspect_packed import find_blobs
    from oxidizer_tools.packed_resources import PackedResourcesError

    section = read_section(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise LicensesError(f"{path}: {e.strerror or e}") from e
    blobs = [b.data for b in find_blobs(data)]
    if section is None and not blobs:
        raise LicensesError(
            f"{path}: not an oxidized binary (no {SECTION} section and no packed resources)"
        )
    try:
        packages, unreadable, extensions = _packages(path, blobs)
    except PackedResourcesError as e:
        raise LicensesError(f"{path}: corrupt packed resources: {e}") from e
    result = Report(path=str(path), components=None, packages=packages, unreadable=unreadable)
    if section is not None:
        components = parse(section, f"{path} ({SECTION})")
        result.components = [
            c for c in components if c.linkage != "extension" or extensions.intersection(c.modules)
        ]
        result.omitted = [c for c in components if c not in result.components]
    return result


_LINKAGE_TITLES = {
    "static": "linked into the executable",
    "shared": "system shared libraries the executable loads",
    "extension": "loaded by the extension modules it ships",
}


def format_report(result: Report) -> list[str]:
    """The human-readable report."""
    lines = [f"{result.path}:"]
    if result.components is None:
        lines.append("  no licence data recorded (its Python distribution has no `licenses` file)")
    else:
        for linkage in LINKAGES:
            group = [c for c in result.components if c.linkage == linkage]
            if not group:
                continue
            lines.append(f"  {_LINKAGE_TITLES[linkage]}:")
            rows = [
                (c.name, c.version or "-", c.spdx, c.origin + (f" [{', '.join(c.modules)}]" if c.modules else ""))
                for c in group
            ]
            lines += _table(rows)
    if result.omitted:
        names = ", ".join(c.name for c in result.omitted)
        lines.append(f"  not included (the extension modules that load them are left out): {names}")
    lines.append("  Python packages:")
    if result.packages:
        lines += _table([(p.name, p.version or "-", p.license, "") for p in result.packages])
    else:
        lines.append("    (none)")
    for name in result.unreadable:
        lines.append(f"    {name}: METADATA not found beside the binary")
    return lines


def _table(rows: Sequence[tuple[str, str, str, str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return ["    " + "  ".join([*(c.ljust(w) for c, w in zip(r, widths)), r[3]]).rstrip() for r in rows]
