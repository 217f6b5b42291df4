"""Wheel layout (wheel spec), RECORD checks, Requires-Dist -> deps, generated BUILD files."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

import pytest

from oxidizer_tools.pypi.wheel import (
    Dependency,
    Metadata,
    WheelError,
    dependencies,
    extract_wheel,
    read_metadata,
    render_build,
    split_dependencies,
)

METADATA = """Metadata-Version: 2.1
Name: Demo-Pkg
Version: 1.0
Requires-Dist: six>=1.0
Requires-Dist: Markdown-It-Py[linkify,plugins] (>=2.2)
Requires-Dist: tomli ; python_version < "3.11"
Requires-Dist: colorama ; sys_platform == "win32"
Requires-Dist: PySocks!=1.5.7,>=1.5.6 ; extra == 'socks'
Requires-Dist: aiohttp>=3.10 ; extra == "d"
Requires-Dist: uvloop>=0.15 ; sys_platform != "win32" and extra == "uvloop"
Requires-Dist: markdown-it-py[rst] ; extra == "rst"
Provides-Extra: socks
Provides-Extra: d
Provides-Extra: uvloop
Provides-Extra: RST

A description.
"""


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def make_wheel(path: Path, files: dict[str, bytes], *, record: bool = True, tamper: str | None = None) -> Path:
    """Writes a wheel with `files` plus dist-info METADATA, WHEEL and a RECORD of sha256 hashes."""
    files = dict(files)
    files.setdefault("demo_pkg-1.0.dist-info/METADATA", METADATA.encode())
    files.setdefault("demo_pkg-1.0.dist-info/WHEEL", b"Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp311-cp311-linux_x86_64\n")
    lines = [f"{name},{_record_hash(data)},{len(data)}" for name, data in files.items()]
    if record:
        lines.append("demo_pkg-1.0.dist-info/RECORD,,")
        files["demo_pkg-1.0.dist-info/RECORD"] = ("\n".join(lines) + "\n").encode()
    if tamper:
        files[tamper] = b"tampered"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o755 if name.endswith(".sh") else 0o644) << 16
            archive.writestr(info, data)
    return path


def test_layout_per_the_wheel_spec(tmp_path: Path) -> None:
    wheel = make_wheel(
        tmp_path / "demo_pkg-1.0-cp311-cp311-linux_x86_64.whl",
        {
            "demo/__init__.py": b"",
            "demo/café.py": b"x = 1\n",
            "demo/données/é.txt": b"data",
            "demo/with space.txt": b"s",
            "demo/sub/BUILD": b"not bazel",
            "demo_pkg-1.0.data/purelib/pure_mod.py": b"",
            "demo_pkg-1.0.data/platlib/plat/_x.cpython-311-x86_64-linux-gnu.so": b"\x7fELF",
            "demo_pkg-1.0.data/scripts/demo-cli": b"#!python\n",
            "demo_pkg-1.0.data/headers/demo.h": b"",
            "demo_pkg-1.0.data/data/share/demo/x.cfg": b"",
            "demo_pkg-1.0.dist-info/entry_points.txt": b"[console_scripts]\ndemo = demo:main\n",
            "demo_pkg-1.0.dist-info/licenses/LICENSE": b"MIT",
            "demo/run.sh": b"#!/bin/sh\n",
        },
    )
    out = tmp_path / "repo"
    installed = extract_wheel(wheel, out)
    assert installed.dist_info == "site-packages/demo_pkg-1.0.dist-info"
    sp = out / "site-packages"
    assert (sp / "demo" / "café.py").read_text() == "x = 1\n"
    assert (sp / "demo" / "données" / "é.txt").read_bytes() == b"data"
    assert (sp / "pure_mod.py").exists()
    assert (sp / "plat" / "_x.cpython-311-x86_64-linux-gnu.so").exists()
    assert (out / "bin" / "demo-cli").stat().st_mode & 0o111
    assert (out / "include" / "demo.h").exists()
    assert (out / "data" / "share" / "demo" / "x.cfg").exists()
    for name in ("METADATA", "WHEEL", "RECORD", "entry_points.txt", "licenses/LICENSE"):
        assert (sp / "demo_pkg-1.0.dist-info" / name).is_file(), name
    assert not (sp / "demo_pkg-1.0.data").exists()
    assert (sp / "demo" / "run.sh").stat().st_mode & 0o777 == 0o755
    assert (sp / "demo" / "café.py").stat().st_mode & 0o777 == 0o644
    # Written (a space is legal on disk) but unlabelable; BUILD would cut out a package: not written.
    assert (sp / "demo" / "with space.txt").exists()
    assert not (sp / "demo" / "sub" / "BUILD").exists()
    assert installed.unlabelable == ["site-packages/demo/sub/BUILD", "site-packages/demo/with space.txt"]


def test_utf8_names_without_the_zip_utf8_flag(tmp_path: Path) -> None:
    # Older wheel builders store UTF-8 names with the zip's UTF-8 flag (bit 11) clear, which
    # zipfile decodes as cp437: write an ASCII placeholder and patch in the UTF-8 bytes.
    wheel = make_wheel(tmp_path / "demo_pkg-1.0-py3-none-any.whl", {"demo/cafXX.py": b"x = 1\n"}, record=False)
    raw = wheel.read_bytes()
    assert raw.count(b"cafXX") == 2  # local header and central directory
    wheel.write_bytes(raw.replace(b"cafXX", "café".encode()))
    with zipfile.ZipFile(wheel) as archive:
        assert not any(i.flag_bits & 0x800 for i in archive.infolist())
    installed = extract_wheel(wheel, tmp_path / "out")
    assert "site-packages/demo/café.py" in installed.files
    assert (tmp_path / "out" / "site-packages" / "demo" / "café.py").read_text() == "x = 1\n"


def test_record_mismatch_is_an_error(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "demo_pkg-1.0-py3-none-any.whl", {"demo/__init__.py": b"ok"}, tamper="demo/__init__.py")
    with pytest.raises(WheelError, match=r"demo_pkg-1\.0-py3-none-any\.whl: demo/__init__\.py does not match its RECORD hash"):
        extract_wheel(wheel, tmp_path / "out")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"../evil.py": b""}, "unsafe member path"),
        ({"/abs.py": b""}, "unsafe member path"),
        ({"demo\\evil.py": b""}, "unsafe member path"),
        ({".": b""}, "unsafe member path"),
        ({"demo_pkg-1.0.data/unknown/x": b""}, "unknown .data scheme"),
        ({"demo_pkg-1.0.data/purelib/demo/x.py": b"", "demo/x.py": b""}, "both install site-packages/demo/x.py"),
        ({"demo_pkg-1.0.dist-info/WHEEL": b"Wheel-Version: 2.0\n"}, "Wheel-Version '2.0'"),
    ],
)
def test_bad_wheels(tmp_path: Path, files: dict[str, bytes], message: str) -> None:
    wheel = make_wheel(tmp_path / "demo_pkg-1.0-py3-none-any.whl", files)
    with pytest.raises(WheelError, match=message):
        extract_wheel(wheel, tmp_path / "out")


def test_not_a_zip(tmp_path: Path) -> None:
    bad = tmp_path / "x-1-py3-none-any.whl"
    bad.write_bytes(b"nope")
    with pytest.raises(WheelError, match="not a wheel"):
        extract_wheel(bad, tmp_path / "out")


def test_read_metadata(tmp_path: Path) -> None:
    path = tmp_path / "METADATA"
    path.write_text(METADATA)
    meta = read_metadata(path)
    assert (meta.name, meta.version) == ("Demo-Pkg", "1.0")
    assert meta.provides_extra == ("d", "rst", "socks", "uvloop")
    assert len(meta.requires_dist) == 8


def _meta() -> Metadata:
    return Metadata("Demo-Pkg", "1.0", tuple(l.split(": ", 1)[1] for l in METADATA.splitlines() if l.startswith("Requires-Dist")), ("d", "rst", "socks", "uvloop"))


def test_requires_dist_to_deps_markers_for_the_target(target) -> None:
    deps = dependencies(_meta(), (), target.marker_environment, "demo")
    assert [(d.key, d.extras) for d in deps] == [("markdown_it_py", ("linkify", "plugins")), ("six", ())]


def test_requires_dist_with_extras_from_the_lock_line(target) -> None:
    deps = dependencies(_meta(), ("socks", "uvloop"), target.marker_environment, "demo")
    assert [d.key for d in deps] == ["markdown_it_py", "pysocks", "six", "uvloop"]


def test_same_project_twice_merges_extras(target) -> None:
    deps = dependencies(_meta(), ("rst",), target.marker_environment, "demo")
    assert [(d.key, d.extras) for d in deps if d.key == "markdown_it_py"] == [("markdown_it_py", ("linkify", "plugins", "rst"))]


def test_split_dependencies_per_extra(target) -> None:
    base, extras = split_dependencies(_meta(), ("d",), target.marker_environment, "demo")
    assert [d.key for d in base] == ["aiohttp", "markdown_it_py", "six"]
    assert {k: [d.key for d in v] for k, v in extras.items()} == {
        "d": [],
        "rst": ["markdown_it_py"],
        "socks": ["pysocks"],
        "uvloop": ["uvloop"],
    }


def test_bad_requires_dist(target) -> None:
    meta = Metadata("x", "1", ("not a requirement ((",), ())
    with pytest.raises(WheelError, match=r"demo: bad Requires-Dist"):
        dependencies(meta, (), target.marker_environment, "demo")


def test_render_build(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "demo_pkg-1.0-py3-none-any.whl", {"demo/__init__.py": b"", "demo/a b.txt": b""})
    installed = extract_wheel(wheel, tmp_path / "out")
    build = render_build(
        hub="pypi",
        project="Demo-Pkg",
        version="1.0",
        wheel_file=wheel.name,
        installed=installed,
        deps=[Dependency("six", (), "six>=1.0"), Dependency("markdown_it_py", ("linkify",), 'Markdown-It-Py[linkify] ; python_version >= "3"')],
        extra_deps={"socks": [Dependency("pysocks", (), "PySocks ; extra == 'socks'")], "d-x": []},
    )
    assert 'load("@pypi//:deps.bzl", "pypi_library")' in build
    assert '    name = "pkg",\n    project = "Demo-Pkg 1.0",' in build
    assert '("six", "six>=1.0", []),' in build
    assert '("markdown_it_py", "Markdown-It-Py[linkify] ; python_version >= \\"3\\"", ["linkify"]),' in build
    assert 'imports = ["site-packages"],' in build
    assert 'tags = ["pypi_name=Demo-Pkg", "pypi_version=1.0"],' in build
    assert f'srcs = ["{wheel.name}"],' in build
    assert 'glob(["site-packages/demo_pkg-1.0.dist-info/**"]' in build
    assert 'name = "extra_socks",' in build and 'name = "extra_d_x",' in build
    assert "#   site-packages/demo/a b.txt" in build
    assert '"site-packages/**/__pycache__/**"' in build and '"site-packages/**/*.pyc"' in build
