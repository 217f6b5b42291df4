"""The embedded distribution as a wheel target: tags, pip arguments, marker environment.

Everything comes from the distribution repository's `metadata.json`
(`oxidizer/private/introspect_python.py`), never from the interpreter running this code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oxidizer_tools.pypi._packaging import markers, tags

# PEP 600 legacy aliases: manylinux1 = 2_5, manylinux2010 = 2_12, manylinux2014 = 2_17.
_LEGACY_MANYLINUX = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}
# Oldest glibc a manylinux tag names, per architecture (as packaging's _manylinux.py).
_OLDEST_GLIBC_MINOR = {"x86_64": 5, "i686": 5}
_DEFAULT_OLDEST_GLIBC_MINOR = 17


class TargetError(Exception):
    """metadata.json does not describe a target wheels can be chosen for."""


def manylinux_platform_tags(glibc: tuple[int, int], arch: str) -> list[str]:
    """Platform tags a glibc `glibc` Linux on `arch` accepts, most specific first.

    `manylinux_2_<minor>_<arch>` from the glibc's minor version down to the oldest the
    architecture has, each followed by its legacy alias, then `linux_<arch>`. pip 23.0
    does not expand `--platform manylinux_2_36_x86_64` to older tags, so pip gets all of them.
    """
    major, minor = glibc
    if major != 2:
        raise TargetError(f"glibc {major}.{minor}: only glibc 2.x is known")
    oldest = _OLDEST_GLIBC_MINOR.get(arch, _DEFAULT_OLDEST_GLIBC_MINOR)
    result: list[str] = []
    for m in range(minor, oldest - 1, -1):
        result.append(f"manylinux_2_{m}_{arch}")
        legacy = _LEGACY_MANYLINUX.get((2, m))
        if legacy:
            result.append(f"{legacy}_{arch}")
    result.append(f"linux_{arch}")
    return result


@dataclass(frozen=True)
class Target:
    """Where the wheels will run: the embedded interpreter and its platform."""

    python_version: str  # "3.11"
    implementation: str  # "cp"
    abis: tuple[str, ...]  # ("cp311", "abi3", "none")
    platforms: tuple[str, ...]
    marker_environment: dict[str, str] = field(hash=False, compare=False)

    @property
    def description(self) -> str:
        """A short human description for error messages."""
        shown = list(self.platforms[:3]) + (["..."] if len(self.platforms) > 4 else []) + list(self.platforms[-1:])
        return f"{self.implementation}{self.python_version.replace('.', '')} (abi {', '.join(self.abis)}; platforms {', '.join(shown)})"

    def pip_arguments(self) -> list[str]:
        """pip's target options: choose wheels for this target, not for pip's interpreter."""
        args = ["--only-binary=:all:", "--python-version", self.python_version, "--implementation", self.implementation]
        for abi in self.abis:
            args += ["--abi", abi]
        for platform in self.platforms:
            args += ["--platform", platform]
        return args

    def supported_tags(self) -> set[str]:
        """Every `python-abi-platform` wheel tag this target installs (packaging's order aside)."""
        version = tuple(int(x) for x in self.python_version.split("."))
        interpreter = f"cp{self.python_version.replace('.', '')}"
        result = tags.cpython_tags(python_version=version, abis=list(self.abis[:1]), platforms=list(self.platforms))
        compatible = tags.compatible_tags(python_version=version, interpreter=interpreter, platforms=list(self.platforms))
        return {str(t) for t in [*result, *compatible]}

    def marker_matches(self, marker: str, extras: tuple[str, ...] = ()) -> bool:
        """Evaluates a PEP 508 marker for this target, true if it holds for "" or any of `extras`."""
        return evaluate_marker(marker, self.marker_environment, extras)

    @classmethod
    def from_metadata(cls, metadata: dict[str, Any], source: str = "metadata.json") -> "Target":
        try:
            wheel = metadata["wheel_target"]
            env = dict(metadata["marker_environment"])
        except KeyError as e:
            raise TargetError(f"{source}: no {e.args[0]} (regenerate the distribution repository)") from None
        if wheel["implementation"] != "cpython":
            raise TargetError(f"{source}: implementation {wheel['implementation']}: only CPython is supported")
        os_name, _, arch = str(wheel["platform"]).partition("-")
        if os_name != "linux" or not wheel.get("glibc_version"):
            raise TargetError(f"{source}: platform {wheel['platform']} without glibc: only glibc Linux is supported")
        major, _, minor = str(wheel["glibc_version"]).partition(".")
        try:
            glibc = (int(major), int(minor.split(".")[0]))
        except ValueError:
            raise TargetError(f"{source}: bad glibc_version {wheel['glibc_version']!r}") from None
        nodot = str(wheel["python_version"]).replace(".", "")
        return cls(
            python_version=str(wheel["python_version"]),
            implementation="cp",
            abis=(f"cp{nodot}{wheel.get('abiflags', '')}", "abi3", "none"),
            platforms=tuple(manylinux_platform_tags(glibc, arch)),
            marker_environment=env,
        )

    @classmethod
    def load(cls, path: Path) -> "Target":
        return cls.from_metadata(json.loads(path.read_text(encoding="utf-8")), str(path))


def evaluate_marker(marker: str, environment: dict[str, str], extras: tuple[str, ...] = ()) -> bool:
    """True when `marker` holds in `environment` with `extra` = "" or any of `extras`."""
    if not marker.strip():
        return True
    parsed = markers.Marker(marker)
    return any(parsed.evaluate({**environment, "extra": extra}) for extra in ("", *extras))
