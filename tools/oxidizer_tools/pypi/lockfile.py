"""Lock files: hashed requirements files (pip-compile, uv) and PEP 751 `pylock.toml`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oxidizer_tools.pypi._packaging import markers, requirements
from oxidizer_tools.pypi.target import Target

# Options pip-compile and uv write at the top of a lock. They are ignored: wheels come
# through the user's own pip configuration (index, mirrors, credentials).
_IGNORED_OPTIONS = (
    "--index-url",
    "-i",
    "--extra-index-url",
    "--find-links",
    "-f",
    "--trusted-host",
    "--no-index",
    "--prefer-binary",
    "--pre",
    "--only-binary",
    "--no-binary",
)
_HASH = re.compile(r"--hash[= ](\S+)")
_HASH_VALUE = re.compile(r"^(sha256|sha384|sha512):[0-9a-fA-F]+$")
_COMMENT = re.compile(r"(^|\s+)#.*$")
_NORMALIZE = re.compile(r"[-_.]+")


class LockError(Exception):
    """A lock file cannot be used; the message names the file and line."""


def normalize(name: str) -> str:
    """rules_python's hub name of a project: lowercase, runs of `-_.` become `_`."""
    return _NORMALIZE.sub("_", name).lower()


def normalize_extra(extra: str) -> str:
    """PEP 685 extra name."""
    return _NORMALIZE.sub("-", extra).lower()


@dataclass(frozen=True)
class LockedProject:
    """One pinned project of a lock."""

    name: str  # as written in the lock
    version: str
    hashes: tuple[str, ...]  # "sha256:<hex>", as pip's --hash takes them
    extras: tuple[str, ...] = ()
    marker: str = ""
    location: str = ""  # "file:line", for messages

    @property
    def key(self) -> str:
        return normalize(self.name)

    def pip_requirement(self) -> str:
        """The one-line requirements file `pip download --require-hashes` gets."""
        return f"{self.name}=={self.version} " + " ".join(f"--hash={h}" for h in self.hashes) + "\n"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "key": self.key,
            "version": self.version,
            "hashes": list(self.hashes),
            "extras": list(self.extras),
            "marker": self.marker,
            "location": self.location,
        }


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Joins backslash continuations and strips comments; (first line number, text)."""
    result: list[tuple[int, str]] = []
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        line = raw if pending == "" else " " + raw.lstrip()
        if line.endswith("\\"):
            pending += _COMMENT.sub("", line[:-1])
            continue
        line = (pending + _COMMENT.sub("", line)).strip()
        pending = ""
        if line:
            result.append((start, line))
    if pending.strip():
        result.append((start, pending.strip()))
    return result


def parse_requirements_lock(text: str, path: str) -> list[LockedProject]:
    """Parses a hashed requirements file; every line must pin `==` a version and have a hash."""
    projects: list[LockedProject] = []
    for number, line in _logical_lines(text):
        where = f"{path}:{number}"
        if line.startswith("-"):
            option = re.split(r"[= ]", line, maxsplit=1)[0]
            if option in _IGNORED_OPTIONS:
                continue
            raise LockError(f"{where}: option {option} is not supported in a lock (only pinned, hashed requirements)")
        hashes = tuple(_HASH.findall(line))
        spec = _HASH.sub("", line).strip()
        others = [token for token in spec.split() if token.startswith("--")]
        if others:
            raise LockError(f"{where}: per-requirement option {others[0]} is not supported")
        try:
            req = requirements.Requirement(spec)
        except requirements.InvalidRequirement as e:
            raise LockError(f"{where}: not a requirement: {spec!r} ({e})") from None
        if req.url:
            raise LockError(f"{where}: {req.name}: direct URL requirements are not supported; pin a version")
        pins = list(req.specifier)
        if len(pins) != 1 or pins[0].operator not in ("==", "===") or "*" in pins[0].version:
            raise LockError(f"{where}: {req.name}: not pinned to one version (`{req.name}==X.Y`): {spec!r}")
        if not hashes:
            raise LockError(
                f"{where}: {req.name}=={pins[0].version} has no --hash: a lock must be hashed "
                "(`bazel run //:oxidizer -- lock requirements.in`, pip-compile --generate-hashes, uv pip compile --generate-hashes)"
            )
        for value in hashes:
            if not _HASH_VALUE.match(value):
                raise LockError(f"{where}: {req.name}: bad hash {value!r} (want sha256:<hex>)")
        projects.append(
            LockedProject(
                name=req.name,
                version=pins[0].version,
                hashes=hashes,
                extras=tuple(sorted(normalize_extra(e) for e in req.extras)),
                marker=str(req.marker) if req.marker else "",
                location=where,
            )
        )
    return projects


def _wheel_tags(filename: str) -> set[str]:
    parts = filename[: -len(".whl")].split("-")
    if len(parts) not in (5, 6):
        return set()
    py, abi, plat = parts[-3:]
    return {f"{x}-{y}-{z}" for x in py.split(".") for y in abi.split(".") for z in plat.split(".")}


def _file_name(entry: dict[str, Any]) -> str:
    return str(entry.get("name") or str(entry.get("url") or entry.get("path") or "").rsplit("/", 1)[-1])


def _sha256(entry: dict[str, Any], where: str) -> str:
    hashes = entry.get("hashes") or {}
    if "sha256" not in hashes:
        raise LockError(f"{where}: {_file_name(entry) or 'a file'} has no sha256 hash")
    return "sha256:" + str(hashes["sha256"])


def parse_pylock(text: str, path: str, target: Target) -> list[LockedProject]:
    """Parses a PEP 751 `pylock.toml`, keeping the hashes of the target's wheels and the sdist."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise LockError(f"{path}: not TOML: {e}") from None
    if not str(data.get("lock-version", "")).startswith("1."):
        raise LockError(f"{path}: lock-version {data.get('lock-version')!r}: only 1.x is supported")
    supported = target.supported_tags()
    projects: list[LockedProject] = []
    for index, package in enumerate(data.get("packages", [])):
        name = package.get("name")
        where = f"{path}: packages[{index}]" + (f" ({name})" if name else "")
        if not name or not package.get("version"):
            raise LockError(f"{where}: needs a name and a version")
        for unsupported in ("vcs", "directory", "archive"):
            if unsupported in package:
                raise LockError(f"{where}: {unsupported} sources are not supported; use wheels or an sdist")
        hashes = [
            _sha256(wheel, where)
            for wheel in package.get("wheels", [])
            if _wheel_tags(_file_name(wheel)) & supported
        ]
        if "sdist" in package:
            hashes.append(_sha256(package["sdist"], where))
        marker = str(package.get("marker", ""))
        if not hashes:
            if marker and not _active(marker, target, where):
                continue
            raise LockError(f"{where}: {name}=={package['version']} has no wheel for the target {target.description} and no sdist")
        projects.append(
            LockedProject(name=name, version=str(package["version"]), hashes=tuple(hashes), marker=marker, location=where)
        )
    return projects


def _active(marker: str, target: Target, where: str) -> bool:
    try:
        return target.marker_matches(marker)
    except (markers.InvalidMarker, markers.UndefinedEnvironmentName, markers.UndefinedComparison) as e:
        raise LockError(f"{where}: cannot evaluate marker {marker!r}: {e}") from None


def load_lock(path: Path, target: Target, display: str | None = None) -> list[LockedProject]:
    """The projects of a lock that apply to `target`, sorted by key; duplicates are errors."""
    shown = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise LockError(f"{shown}: cannot read: {e}") from None
    if path.name.endswith(".toml"):
        projects = parse_pylock(text, shown, target)
    else:
        projects = parse_requirements_lock(text, shown)
    active: dict[str, LockedProject] = {}
    for project in projects:
        if project.marker and not _active(project.marker, target, project.location):
            continue
        if project.key in active:
            raise LockError(f"{project.location}: {project.name} is also locked at {active[project.key].location}")
        active[project.key] = project
    return [active[k] for k in sorted(active)]

