"""Wheels: the spec's layout on disk, their metadata, their dependencies, their BUILD file."""

from __future__ import annotations

import base64
import csv
import email.parser
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from _oxidized_importer.paths import path_problem

from oxidizer_tools.pypi._packaging import markers, requirements
from oxidizer_tools.pypi.lockfile import normalize, normalize_extra

SITE_PACKAGES = "site-packages"
# Where `<dist>.data/<key>/` goes (wheel spec, "Installing a wheel"); purelib and platlib
# are merged into site-packages, as one installation scheme does.
_DATA_SCHEMES = {
    "purelib": SITE_PACKAGES,
    "platlib": SITE_PACKAGES,
    "scripts": "bin",
    "headers": "include",
    "data": "data",
}
# Names that would make a subdirectory its own Bazel package and hide its files from glob().
_BAZEL_PACKAGE_MARKERS = {"BUILD", "BUILD.bazel", "WORKSPACE", "WORKSPACE.bazel"}


class WheelError(Exception):
    """A wheel that cannot be installed; the message names the wheel."""


@dataclass
class Installed:
    """What extract_wheel() wrote, relative to the destination directory."""

    dist_info: str  # "site-packages/rich-13.7.1.dist-info"
    files: list[str] = field(default_factory=list)
    # Files Bazel 4 cannot label (a space in the name) or that would start a Bazel package.
    unlabelable: list[str] = field(default_factory=list)


def _member_name(info: zipfile.ZipInfo) -> str:
    # Wheels are UTF-8 (PEP 427); zipfile decodes names without the UTF-8 flag as cp437.
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except UnicodeError:
        return info.filename


def _safe_path(name: str, wheel: str) -> PurePosixPath:
    """`name` as a path, if it is safe (paths.py) and, beyond that, names a file (not `.`)
    and has no backslash (a path separator on Windows, which PEP 427 names must not use)."""
    path = PurePosixPath(name)
    if path_problem(name) is not None or "\\" in name or not path.parts:
        raise WheelError(f"{wheel}: unsafe member path {name!r}")
    return path


def _record_hashes(text: str, wheel: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for row in csv.reader(io.StringIO(text)):
        if len(row) >= 2 and row[1]:
            algorithm, _, digest = row[1].partition("=")
            if algorithm == "sha256":
                result[row[0]] = digest
            elif algorithm not in ("sha384", "sha512"):
                raise WheelError(f"{wheel}: RECORD entry {row[0]!r} has unknown hash {row[1]!r}")
    return result


def _find_dist_info(names: list[str], wheel: str) -> str:
    candidates = sorted(
        {n.split("/", 1)[0] for n in names if "/" in n and n.split("/", 1)[0].endswith(".dist-info")}
    )
    candidates = [c for c in candidates if f"{c}/METADATA" in names and f"{c}/WHEEL" in names]
    if len(candidates) != 1:
        raise WheelError(f"{wheel}: want exactly one .dist-info directory with METADATA and WHEEL, found {candidates}")
    return candidates[0]


def extract_wheel(wheel: Path, dest: Path) -> Installed:
    """Installs `wheel` under `dest` per the wheel spec, checking RECORD's sha256 hashes.

    Root files and `<dist>.data/{purelib,platlib}` go to `site-packages/`, `scripts` to `bin/`,
    `headers` to `include/`, `data` to `data/`; the `.dist-info` directory is kept whole.
    """
    shown = wheel.name
    try:
        archive = zipfile.ZipFile(wheel)
    except (OSError, zipfile.BadZipFile) as e:
        raise WheelError(f"{shown}: not a wheel: {e}") from None
    with archive:
        members = [(info, _member_name(info)) for info in archive.infolist() if not info.is_dir()]
        names = [name for _, name in members]
        dist_info = _find_dist_info(names, shown)
        wheel_meta = email.parser.Parser().parsestr(archive.read(_info(members, f"{dist_info}/WHEEL")).decode("utf-8"))
        if not str(wheel_meta.get("Wheel-Version", "")).startswith("1."):
            raise WheelError(f"{shown}: Wheel-Version {wheel_meta.get('Wheel-Version')!r} is not supported")
        record_name = f"{dist_info}/RECORD"
        record = _record_hashes(archive.read(_info(members, record_name)).decode("utf-8"), shown) if record_name in names else {}
        data_dir = dist_info[: -len(".dist-info")] + ".data"
        installed = Installed(dist_info=f"{SITE_PACKAGES}/{dist_info}")
        seen: dict[str, str] = {}
        for info, name in sorted(members, key=lambda m: m[1]):
            path = _safe_path(name, shown)
            content = archive.read(info)
            expected = record.get(name)
            if expected is not None:
                actual = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
                if actual != expected.rstrip("="):
                    raise WheelError(f"{shown}: {name} does not match its RECORD hash")
            if path.parts[0] == data_dir:
                if len(path.parts) < 3 or path.parts[1] not in _DATA_SCHEMES:
                    raise WheelError(f"{shown}: {name}: unknown .data scheme (want one of {sorted(_DATA_SCHEMES)})")
                target = PurePosixPath(_DATA_SCHEMES[path.parts[1]], *path.parts[2:])
            else:
                target = PurePosixPath(SITE_PACKAGES, *path.parts)
            key = target.as_posix()
            if key in seen:
                raise WheelError(f"{shown}: {name} and {seen[key]} both install {key}")
            seen[key] = name
            if " " in key or target.name in _BAZEL_PACKAGE_MARKERS:
                installed.unlabelable.append(key)
                if target.name in _BAZEL_PACKAGE_MARKERS:
                    continue  # Written, it would cut its directory out of this repository's package.
            out = dest / key
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(content)
            executable = (info.external_attr >> 16) & 0o111 or target.parts[0] == "bin"
            out.chmod(0o755 if executable else 0o644)
            installed.files.append(key)
    return installed


def _info(members: list[tuple[zipfile.ZipInfo, str]], name: str) -> zipfile.ZipInfo:
    return next(info for info, n in members if n == name)


@dataclass(frozen=True)
class Metadata:
    """The fields of METADATA this ruleset uses."""

    name: str
    version: str
    requires_dist: tuple[str, ...]
    provides_extra: tuple[str, ...]


def read_metadata(path: Path) -> Metadata:
    message = email.parser.Parser().parsestr(path.read_text(encoding="utf-8"))
    return Metadata(
        name=str(message.get("Name", "")),
        version=str(message.get("Version", "")),
        requires_dist=tuple(str(v) for v in message.get_all("Requires-Dist") or ()),
        provides_extra=tuple(sorted({normalize_extra(str(v)) for v in message.get_all("Provides-Extra") or ()})),
    )


@dataclass(frozen=True)
class Dependency:
    """One Requires-Dist entry that applies: the project's key, its extras, the entry's text."""

    key: str
    extras: tuple[str, ...]
    requirement: str


def dependencies(metadata: Metadata, extras: tuple[str, ...], environment: dict[str, str], owner: str) -> list[Dependency]:
    """Requires-Dist entries whose marker holds for `environment` with `extra` in {""} + `extras`."""
    result: dict[str, Dependency] = {}
    for text in metadata.requires_dist:
        try:
            req = requirements.Requirement(text)
        except requirements.InvalidRequirement as e:
            raise WheelError(f"{owner}: bad Requires-Dist {text!r}: {e}") from None
        if req.marker is not None:
            try:
                applies = any(req.marker.evaluate({**environment, "extra": e}) for e in ("", *extras))
            except (markers.UndefinedEnvironmentName, markers.UndefinedComparison) as e:
                raise WheelError(f"{owner}: cannot evaluate the marker of Requires-Dist {text!r}: {e}") from None
            if not applies:
                continue
        key = normalize(req.name)
        wanted = tuple(sorted({normalize_extra(e) for e in req.extras} | set(result[key].extras if key in result else ())))
        result[key] = Dependency(key, wanted, text if key not in result else result[key].requirement)
    return [result[k] for k in sorted(result)]


def _starlark_list(items: list[str], indent: str = "    ") -> str:
    if not items:
        return "[]"
    return "[\n" + "".join(f"{indent}    {_quote(i)},\n" for i in items) + f"{indent}]"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _requirements(deps: list[Dependency]) -> str:
    rows = "".join(
        f"        ({_quote(d.key)}, {_quote(d.requirement)}, [{', '.join(_quote(normalize(e)) for e in d.extras)}]),\n"
        for d in deps
    )
    return f"[\n{rows}    ]" if deps else "[]"


def render_build(
    *,
    hub: str,
    project: str,
    version: str,
    wheel_file: str,
    installed: Installed,
    deps: list[Dependency],
    extra_deps: dict[str, list[Dependency]],
) -> str:
    """The wheel repository's BUILD.bazel: `:pkg`, `:whl`, `:dist_info` and one `:extra_<x>` per extra.

    `pypi_library` (the hub's deps.bzl) turns requirements into labels of the hub's wheel
    repositories, or into a target that fails naming both projects when one is not locked.
    """
    exclude = ["site-packages/**/* *"]
    lines = [
        f"# Generated by oxidizer_pip_parse (hub {hub}) for {project} {version} from {wheel_file}.",
        f'load("@{hub}//:deps.bzl", "pypi_library")',
        "",
        'package(default_visibility = ["//visibility:public"])',
        "",
    ]
    if installed.unlabelable:
        lines += [
            "# Left out: Bazel 4 cannot label file names containing spaces, and a BUILD or WORKSPACE",
            "# file would make its directory a package of its own:",
        ] + [f"#   {name}" for name in installed.unlabelable] + [""]
    lines += [
        "pypi_library(",
        '    name = "pkg",',
        f"    project = {_quote(project + ' ' + version)},",
        f"    requirements = {_requirements(deps)},",
        f'    srcs = glob(["site-packages/**/*.py"], exclude = {_starlark_list(exclude)}),',
        "    data = glob(",
        '        ["site-packages/**"],',
        "        exclude = "
        + _starlark_list(exclude + ["site-packages/**/*.py", "site-packages/**/__pycache__/**", "site-packages/**/*.pyc"], "        ")
        + ",",
        "    ),",
        '    imports = ["site-packages"],',
        f"    tags = [{_quote('pypi_name=' + project)}, {_quote('pypi_version=' + version)}],",
        ")",
        "",
        "filegroup(",
        '    name = "whl",',
        f"    srcs = [{_quote(wheel_file)}],",
        ")",
        "",
        "filegroup(",
        '    name = "dist_info",',
        f'    srcs = glob(["{installed.dist_info}/**"], exclude = {_starlark_list(exclude)}),',
        ")",
    ]
    for extra in sorted(extra_deps):
        lines += [
            "",
            "pypi_library(",
            f'    name = "extra_{normalize(extra)}",',
            f"    project = {_quote(f'{project}[{extra}] {version}')},",
            f"    requirements = {_requirements(extra_deps[extra])},",
            '    deps = [":pkg"],',
            ")",
        ]
    return "\n".join(lines) + "\n"


def split_dependencies(
    metadata: Metadata, requested: tuple[str, ...], environment: dict[str, str], owner: str
) -> tuple[list[Dependency], dict[str, list[Dependency]]]:
    """Dependencies of `:pkg` (with the lock's extras) and, per declared extra, what it adds."""
    base = dependencies(metadata, requested, environment, owner)
    have = {(d.key, d.extras) for d in base}
    extras = {
        extra: [d for d in dependencies(metadata, (extra,), environment, owner) if (d.key, d.extras) not in have]
        for extra in metadata.provides_extra
    }
    return base, extras
