"""Tests of the licences file format, its embedding in a real ELF executable and `oxidizer licenses`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from oxidizer_tools import cli, embed, licenses
from oxidizer_tools.licenses import Component, LicensesError
from oxidizer_tools.packed_resources import Resource, write_packed_resources

INCLUDE = Path(__file__).resolve().parents[2] / "runtime" / "include"
GCC = shutil.which("gcc")
needs_gcc = pytest.mark.skipif(GCC is None, reason="gcc not installed")

COMPONENTS = [
    Component("CPython", "3.11.2-6+deb12u6", "PSF-2.0", "Debian libpython3.11-dev (static libpython3.11.a)"),
    Component("Expat", "2.5.0-1+deb12u1", "MIT", "Debian libexpat1", ("pyexpat",), "shared"),
    Component("OpenSSL", "3.0.19-1~deb12u2", "Apache-2.0", "Debian libssl3", ("_hashlib", "_ssl"), "extension"),
    Component("GNU Readline", "8.2-1.3", "GPL-3.0-or-later", "Debian libreadline8", ("readline",), "extension"),
]

SIX_METADATA = b"""Metadata-Version: 2.1
Name: six
Version: 1.16.0
License: MIT
Classifier: License :: OSI Approved :: MIT License

body
"""


def test_round_trip() -> None:
    text = licenses.dumps(COMPONENTS)
    assert licenses.parse(text, "x.json") == COMPONENTS
    assert licenses.parse(text.encode(), "x.json") == COMPONENTS
    # The format of the docs: linkage and modules are optional.
    minimal = '{"components": [{"name": "CPython", "version": "3.11.2", "spdx": "PSF-2.0", "origin": "o"}]}'
    assert licenses.parse(minimal, "x.json") == [Component("CPython", "3.11.2", "PSF-2.0", "o")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", r"dist/licenses.json: not a JSON licences file"),
        ("[]", r'dist/licenses.json: expected an object with a "components" list'),
        ('{"components": [], "x": 1}', r"unknown top-level keys \['x'\]"),
        ('{"components": [1]}', r"components\[0\]: expected an object, got int"),
        ('{"components": [{"name": "A", "version": "1", "spdx": "MIT"}]}', r"components\[0\]: 'origin' must be a string"),
        ('{"components": [{"name": "", "version": "", "spdx": "MIT", "origin": ""}]}', "empty name"),
        (
            '{"components": [{"name": "A", "version": "", "spdx": "MIT", "origin": "", "url": ""}]}',
            r"components\[0\]: unknown keys \['url'\]",
        ),
        (
            '{"components": [{"name": "A", "version": "", "spdx": "MIT license", "origin": ""}]}',
            r"component 'A': spdx 'MIT license' is not an SPDX licence expression",
        ),
        (
            '{"components": [{"name": "A", "version": "", "spdx": "MIT", "origin": "", "modules": ["a-b"]}]}',
            r"component 'A': modules must be a list of module names",
        ),
        (
            '{"components": [{"name": "A", "version": "", "spdx": "MIT", "origin": "", "linkage": "dynamic"}]}',
            r"component 'A': linkage 'dynamic' is not one of static, shared, extension",
        ),
        (
            '{"components": [{"name": "A", "version": "", "spdx": "MIT", "origin": "", "linkage": "extension"}]}',
            r"component 'A': linkage extension needs the modules",
        ),
        (
            '{"components": [{"name": "A", "version": "", "spdx": "MIT", "origin": ""},'
            ' {"name": "A", "version": "", "spdx": "Zlib", "origin": ""}]}',
            r"dist/licenses.json: components listed twice: A",
        ),
    ],
)
def test_parse_errors_name_the_file(text: str, message: str) -> None:
    with pytest.raises(LicensesError, match=message):
        licenses.parse(text, "dist/licenses.json")


@pytest.mark.parametrize(
    ("expression", "valid"),
    [
        ("MIT", True),
        ("PSF-2.0", True),
        ("X11-distribute-modifications-variant", True),
        ("LGPL-2.1-or-later", True),
        ("GPL-2.0+", True),
        ("LicenseRef-Public-Domain", True),
        ("NOASSERTION", True),
        ("BSD-3-Clause AND BSD-2-Clause", True),
        ("(MIT OR Apache-2.0) AND Zlib", True),
        ("GPL-2.0-or-later WITH Classpath-exception-2.0", True),
        ("", False),
        ("MIT license", False),
        ("MIT AND", False),
        ("(MIT", False),
        ("MIT)", False),
        ("OR MIT", False),
        ("MIT, BSD", False),
    ],
)
def test_is_spdx_expression(expression: str, valid: bool) -> None:
    assert licenses.is_spdx_expression(expression) is valid


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ("Name: a\nLicense-Expression: MIT OR Apache-2.0\nLicense: BSD\n", "MIT OR Apache-2.0"),
        ("Name: a\nLicense: BSD-3-Clause\nClassifier: License :: OSI Approved :: MIT License\n", "BSD-3-Clause"),
        # A whole licence text in License: its first line.
        ("Name: a\nLicense: Copyright (c) 2020 Someone\n        All rights reserved.\n", "Copyright (c) 2020 Someone"),
        (
            "Name: a\nLicense: UNKNOWN\nClassifier: Programming Language :: Python\n"
            "Classifier: License :: OSI Approved :: MIT License\n"
            "Classifier: License :: OSI Approved :: Apache Software License\n",
            "MIT License / Apache Software License",
        ),
        ("Name: a\nClassifier: License :: OSI Approved\n", "OSI Approved"),
        ("Name: a\nVersion: 1\n", "UNKNOWN"),
    ],
)
def test_metadata_license(metadata: str, expected: str) -> None:
    assert licenses.metadata_license(metadata) == expected


def _link_files(tmp_path: Path, licenses_files: list[Path]) -> Path:
    return _link(tmp_path, None, {"stdlib": b"pyembed\x03"}, tuple(licenses_files))


def _link(tmp_path: Path, licenses_file: Path | None, blobs: dict[str, bytes], more_licenses: tuple[Path, ...] = ()) -> Path:
    """A real executable: the generated config C file, compiled and linked by gcc."""
    assert GCC is not None
    blob_args = []
    for index, (name, data) in enumerate(blobs.items()):
        path = tmp_path / f"blob{index}.packed"
        path.write_bytes(data)
        blob_args.append(f"{name}={path.name}")
    embed.run(
        output=tmp_path / "config.c",
        run_mode="module",
        run_target="app",
        main_manifest="",
        blobs=blob_args,
        relative_path_origin="prog_lib",
        licenses_files=([str(licenses_file)] if licenses_file else []) + [str(p) for p in more_licenses],
    )
    # No settings: the struct oxidizer_settings (generated by Bazel) may be empty here.
    (tmp_path / "oxidizer").mkdir()
    (tmp_path / "oxidizer" / "settings.h").write_text("typedef struct { int unused; } oxidizer_settings;\n")
    (tmp_path / "main.c").write_text(
        '#include "oxidizer/config.h"\nint main(void) { return (int)oxidizer_embedded_config.packed_blob_count; }\n'
    )
    built = subprocess.run(
        [GCC, "-std=c11", "-Wall", "-Werror", f"-I{INCLUDE}", f"-I{tmp_path}", "-o", "prog", "main.c", "config.c"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr
    return tmp_path / "prog"


@needs_gcc
def test_embedded_licences_and_packages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    licenses_file = tmp_path / "licenses.json"
    licenses_file.write_text(licenses.dumps(COMPONENTS))
    app = write_packed_resources(
        [
            Resource(name="app", is_module=True, in_memory_source=b"import six\n"),
            Resource(name="six", in_memory_distribution_resources={"METADATA": SIX_METADATA, "RECORD": b""}),
            Resource(name="nolicense", relative_path_distribution_resources={"METADATA": "nolicense.dist-info/METADATA"}),
            Resource(name="missing", relative_path_distribution_resources={"METADATA": "missing.dist-info/METADATA"}),
        ]
    )
    stdlib = write_packed_resources(
        [Resource(name="_ssl", is_extension_module=True, relative_path_extension_module_shared_library="_ssl.so")]
    )
    binary = _link(tmp_path, licenses_file, {"//app:prog": app, "stdlib": stdlib})
    (tmp_path / "prog_lib" / "nolicense.dist-info").mkdir(parents=True)
    (tmp_path / "prog_lib" / "nolicense.dist-info" / "METADATA").write_text("Name: nolicense\nVersion: 0.1\n")

    # Not allocated: the section is in the file but not loaded at run time.
    headers = subprocess.run(["readelf", "-SW", str(binary)], capture_output=True, text=True, check=True).stdout
    line = next(x for x in headers.splitlines() if licenses.SECTION in x)
    assert " A " not in line.split(licenses.SECTION)[1]
    assert licenses.read_section(binary) == licenses_file.read_bytes()

    result = licenses.report(binary)
    # readline's extension module is not in the binary: its library is not reported.
    assert result.components == COMPONENTS[:3]
    assert result.omitted == COMPONENTS[3:]
    assert [(p.name, p.version, p.license) for p in result.packages] == [
        ("nolicense", "0.1", "UNKNOWN"),
        ("six", "1.16.0", "MIT"),
    ]
    assert result.unreadable == ["missing"]

    assert cli.main(["licenses", str(binary)]) == 0
    out = capsys.readouterr().out
    assert "CPython" in out and "PSF-2.0" in out and "[_hashlib, _ssl]" in out
    assert "not included (the extension modules that load them are left out): GNU Readline" in out
    assert "six" in out and "missing: METADATA not found" in out
    assert cli.main(["licenses", str(binary), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["components"][0] == {
        "name": "CPython",
        "version": "3.11.2-6+deb12u6",
        "spdx": "PSF-2.0",
        "origin": "Debian libpython3.11-dev (static libpython3.11.a)",
        "modules": [],
        "linkage": "static",
    }
    assert {"name": "six", "version": "1.16.0", "license": "MIT"} in document["packages"]


@needs_gcc
def test_binary_without_licence_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blob = write_packed_resources([Resource(name="app", is_module=True, in_memory_source=b"")])
    binary = _link(tmp_path, None, {"app": blob})
    assert licenses.read_section(binary) is None
    assert licenses.report(binary).components is None
    assert cli.main(["licenses", str(binary)]) == 0
    assert "no licence data recorded" in capsys.readouterr().out


def test_not_an_oxidized_binary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    true = Path(shutil.which("true") or "/bin/true")
    with pytest.raises(LicensesError, match="true: not an oxidized binary"):
        licenses.report(true)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert cli.main(["licenses", str(text)]) == 1
    assert "notes.txt: not an ELF executable, so not an oxidized binary" in capsys.readouterr().err
    assert cli.main(["licenses", str(tmp_path / "missing")]) == 1
    assert "missing: No such file or directory" in capsys.readouterr().err


def test_embed_rejects_a_bad_licences_file(tmp_path: Path) -> None:
    bad = tmp_path / "licenses.json"
    bad.write_text('{"components": [{"name": "A"}]}')
    with pytest.raises(embed.EmbedError, match=r"a licences file: .*licenses.json: components\[0\]: 'version' must be"):
        embed.run(
            output=tmp_path / "config.c",
            run_mode="module",
            run_target="app",
            main_manifest="",
            blobs=[],
            licenses_files=[str(bad)],
        )
    with pytest.raises(embed.EmbedError, match="absent.json: No such file"):
        embed.run(
            output=tmp_path / "config.c",
            run_mode="repl",
            run_target="",
            main_manifest="",
            blobs=[],
            licenses_files=[str(tmp_path / "absent.json")],
        )


def test_embed_merges_licences_files(tmp_path: Path) -> None:
    """The distribution's and the runtime's licences become one section; a component twice is an error."""
    dist = tmp_path / "dist.json"
    dist.write_text(licenses.dumps(COMPONENTS))
    runtime = tmp_path / "runtime.json"
    zstd = licenses.Component(name="Zstandard", version="1.5.4", spdx="BSD-3-Clause OR GPL-2.0-only", origin="Debian libzstd-dev (static)")
    runtime.write_text(licenses.dumps([zstd]))
    binary = _link_files(tmp_path, [dist, runtime])
    section = licenses.read_section(binary)
    assert section is not None
    assert licenses.parse(section, "section") == [*COMPONENTS, zstd]
    with pytest.raises(embed.EmbedError, match="components in more than one licences file: " + COMPONENTS[0].name):
        embed.run(output=tmp_path / "c.c", run_mode="repl", run_target="", licenses_files=[str(dist), str(dist)])
