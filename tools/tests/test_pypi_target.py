"""Wheel target: platform tags from glibc/arch, pip arguments, marker evaluation."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import pytest
from pypi_target_metadata import TARGET_METADATA

from oxidizer_tools.pypi.target import Target, TargetError, evaluate_marker, manylinux_platform_tags

INTROSPECT = Path(__file__).resolve().parents[2] / "oxidizer" / "private" / "introspect_python.py"


def test_platform_tags_x86_64_down_to_manylinux1() -> None:
    tags = manylinux_platform_tags((2, 36), "x86_64")
    assert tags[:2] == ["manylinux_2_36_x86_64", "manylinux_2_35_x86_64"]
    assert tags[-4:] == ["manylinux_2_6_x86_64", "manylinux_2_5_x86_64", "manylinux1_x86_64", "linux_x86_64"]
    assert tags.index("manylinux2014_x86_64") == tags.index("manylinux_2_17_x86_64") + 1
    assert tags.index("manylinux2010_x86_64") == tags.index("manylinux_2_12_x86_64") + 1
    assert len(tags) == 32 + 3 + 1


def test_platform_tags_aarch64_start_at_2_17() -> None:
    tags = manylinux_platform_tags((2, 28), "aarch64")
    assert tags == [f"manylinux_2_{m}_aarch64" for m in range(28, 17, -1)] + [
        "manylinux_2_17_aarch64",
        "manylinux2014_aarch64",
        "linux_aarch64",
    ]


def test_pip_arguments_name_every_tag(target: Target) -> None:
    args = target.pip_arguments()
    assert args[:5] == ["--only-binary=:all:", "--python-version", "3.11", "--implementation", "cp"]
    assert [args[i + 1] for i, a in enumerate(args) if a == "--abi"] == ["cp311", "abi3", "none"]
    platforms = [args[i + 1] for i, a in enumerate(args) if a == "--platform"]
    assert platforms == manylinux_platform_tags((2, 36), "x86_64")


def test_supported_tags(target: Target) -> None:
    tags = target.supported_tags()
    assert "cp311-cp311-manylinux_2_17_x86_64" in tags
    assert "cp37-abi3-manylinux2014_x86_64" in tags
    assert "py3-none-any" in tags
    assert "cp312-cp312-manylinux_2_17_x86_64" not in tags
    assert "cp311-cp311-manylinux_2_38_x86_64" not in tags  # newer glibc than the target's
    assert "cp311-cp311-win_amd64" not in tags
    assert "cp311-cp311-musllinux_1_1_x86_64" not in tags


@pytest.mark.parametrize(
    ("marker", "extras", "expected"),
    [
        ('python_version >= "3.11"', (), True),
        ('python_version < "3.11"', (), False),
        ('sys_platform == "win32"', (), False),
        ('platform_machine == "x86_64" and os_name == "posix"', (), True),
        ('implementation_name == "pypy"', (), False),
        ('extra == "socks"', (), False),
        ('extra == "socks"', ("socks",), True),
        ('python_full_version >= "3.11.1" and extra == "d"', ("d",), True),
        ("", (), True),
    ],
)
def test_markers_evaluated_for_the_target(target: Target, marker: str, extras: tuple[str, ...], expected: bool) -> None:
    assert target.marker_matches(marker, extras) is expected


def test_marker_uses_the_given_environment_not_the_host() -> None:
    env = dict(TARGET_METADATA["marker_environment"], sys_platform="win32", python_version="3.8")
    assert evaluate_marker('sys_platform == "win32" and python_version < "3.9"', env)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.pop("wheel_target"), "no wheel_target"),
        (lambda m: m["wheel_target"].update(platform="darwin-arm64"), "only glibc Linux"),
        (lambda m: m["wheel_target"].update(glibc_version=""), "only glibc Linux"),
        (lambda m: m["wheel_target"].update(implementation="pypy"), "only CPython"),
        (lambda m: m["wheel_target"].update(glibc_version="x.y"), "bad glibc_version"),
    ],
)
def test_bad_metadata(change, message: str) -> None:
    metadata = copy.deepcopy(TARGET_METADATA)
    change(metadata)
    with pytest.raises(TargetError, match=message):
        Target.from_metadata(metadata)


def test_introspect_python_describes_the_target() -> None:
    out = subprocess.run(["/usr/bin/python3.11", "-I", "-S", str(INTROSPECT)], capture_output=True, text=True, check=True)
    target = Target.from_metadata(json.loads(out.stdout))
    assert target.python_version == "3.11"
    assert target.abis == ("cp311", "abi3", "none")
    assert target.platforms[-1] == "linux_x86_64" or target.platforms[-1].startswith("linux_")
    assert target.marker_environment["python_version"] == "3.11"
    assert target.marker_environment["sys_platform"] == "linux"
