"""Tests for oxidizer_tools.inittab and the inittab embed.py generates from it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from oxidizer_tools import embed, inittab
from oxidizer_tools.inittab import CORE_MEMBER, Entry, InittabError

GCC = shutil.which("gcc")

ENTRIES = [
    {"name": "posix", "init": "PyInit_posix", "member": CORE_MEMBER},
    {"name": "_ssl", "init": "PyInit__ssl", "member": "ext__hashlib.o"},
    {"name": "_hashlib", "init": "PyInit__hashlib", "member": "ext__hashlib.o"},
    {"name": "_json", "init": "PyInit__json", "member": "ext__json.o"},
    {"name": "marshal", "init": "PyMarshal_Init", "member": CORE_MEMBER},
    {"name": "builtins", "init": None, "member": CORE_MEMBER},
]


def text(entries: list[dict[str, object]] = ENTRIES) -> str:
    return json.dumps({"entries": entries})


def test_parse_keeps_order() -> None:
    parsed = inittab.parse(text(), "inittab.json")
    assert [e.name for e in parsed] == ["posix", "_ssl", "_hashlib", "_json", "marshal", "builtins"]
    assert parsed[5] == Entry("builtins", None, CORE_MEMBER)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{", "inittab.json: not JSON"),
        ("[]", "inittab.json: wants an object with a non-empty `entries` list"),
        ('{"entries": []}', "inittab.json: wants an object with a non-empty `entries` list"),
        ('{"entries": [{"name": "x", "init": null}]}', "inittab.json: entry 0 wants exactly the keys name, init, member"),
        ('{"entries": [{"name": "1x", "init": null, "member": "core.o"}]}', "inittab.json: entry 0: '1x' is not a module name"),
        ('{"entries": [{"name": 3, "init": null, "member": "core.o"}]}', "inittab.json: entry 0: 3 is not a module name"),
        ('{"entries": [{"name": "x", "init": "a b", "member": "core.o"}]}', "inittab.json: entry 0 (x): init 'a b' is not a C identifier"),
        ('{"entries": [{"name": "x", "init": null, "member": ""}]}', "inittab.json: entry 0 (x): no member"),
        (text(ENTRIES + ENTRIES[:1]), "inittab.json: modules listed twice: posix"),
    ],
)
def test_parse_rejects(data: str, message: str) -> None:
    with pytest.raises(InittabError) as error:
        inittab.parse(data, "inittab.json")
    assert str(error.value).startswith(message)


def test_select_excluded_and_keep_list() -> None:
    parsed = inittab.parse(text(), "t")
    assert [e.name for e in inittab.select(parsed, {"_ssl"}, None)] == ["posix", "_hashlib", "_json", "marshal", "builtins"]
    # A keep-list drops extension modules it does not name, never the core.
    kept = inittab.select(parsed, set(), {"_json", "json"})
    assert [e.name for e in kept] == ["posix", "_json", "marshal", "builtins"]
    # Excluded wins over the keep-list, and may name a core module.
    assert [e.name for e in inittab.select(parsed, {"_json", "marshal"}, {"_json"})] == ["posix", "builtins"]


@pytest.mark.skipif(GCC is None, reason="gcc not installed")
def test_c_source_links_with_the_init_functions(tmp_path: Path) -> None:
    """The generated table compiles, and names each init function it keeps (only those)."""
    chosen = inittab.select(inittab.parse(text(), "t"), {"_ssl"}, None)
    source = tmp_path / "table.c"
    source.write_text("\n".join(inittab.c_source(chosen, [("pkg._speedups", "PyInit__speedups")])))
    obj = tmp_path / "table.o"
    subprocess.run([GCC, "-std=c11", "-Wall", "-Werror", "-c", "-o", str(obj), str(source)], check=True)
    nm = subprocess.run(["nm", str(obj)], capture_output=True, text=True, check=True).stdout.split()
    assert "PyInit__hashlib" in nm and "PyMarshal_Init" in nm and "_PyImport_Inittab" in nm
    assert "PyInit__speedups" in nm
    assert "PyInit__ssl" not in nm


def _embed(tmp_path: Path, **overrides: object) -> str:
    table = tmp_path / "inittab.json"
    table.write_text(text())
    args: dict[str, object] = dict(output=tmp_path / "embedded.c", run_mode="module", run_target="app", inittab=str(table))
    args.update(overrides)
    embed.run(**args)  # type: ignore[arg-type]
    return (tmp_path / "embedded.c").read_text(encoding="utf-8")


def test_embed_generates_the_table_without_excluded_modules(tmp_path: Path) -> None:
    c = _embed(tmp_path, excluded_builtins=["_ssl"])
    assert 'struct _inittab _PyImport_Inittab[] = {' in c
    assert '{"_hashlib", PyInit__hashlib},' in c and "PyInit__ssl" not in c
    # Left out of the table, so the runtime removes nothing at start-up.
    assert ".excluded_builtin_count = 0," in c


def test_embed_drops_extension_modules_missing_from_the_keep_list(tmp_path: Path) -> None:
    keep = tmp_path / "keep.txt"
    keep.write_text("json.decoder  # imports _json\n_json\n")
    c = _embed(tmp_path, modules_keep_list=str(keep))
    assert '{"_json", PyInit__json},' in c and '{"posix", PyInit_posix},' in c
    assert "PyInit__ssl" not in c and "PyInit__hashlib" not in c


def _inittab_rows(c: str) -> list[str]:
    """The rows of the generated `_PyImport_Inittab`, in order, without the terminator."""
    body = c.split("struct _inittab _PyImport_Inittab[] = {\n", 1)[1].split("};", 1)[0]
    return [line.strip() for line in body.splitlines() if line.strip() != "{0, 0},"]


def test_embed_folds_ext_modules_into_the_generated_table(tmp_path: Path) -> None:
    """The runtime's oxidized_importer and the ext_modules join the generated table after
    the distribution's modules (where the runtime would append them), and the runtime
    appends nothing."""
    c = _embed(tmp_path, builtin_extensions=["_speedups", "pkg._fast"])
    rows = _inittab_rows(c)
    assert rows[-3:] == [
        '{"oxidized_importer", PyInit_oxidized_importer},',
        '{"_speedups", PyInit__speedups},',
        '{"pkg._fast", PyInit__fast},',
    ]
    assert rows[:-3] == [f'{{"{e["name"]}", {e["init"] or "0"}}},' for e in ENTRIES]
    assert ".builtin_extension_count = 0," in c
    table = c.split("oxidizer_builtin_extension builtin_extensions[] = {\n", 1)[1].split("};", 1)[0]
    assert table.strip() == "{0, 0},"


def test_embed_without_inittab_appends_ext_modules_at_run_time(tmp_path: Path) -> None:
    c = _embed(tmp_path, inittab="", builtin_extensions=["_speedups", "pkg._fast"])
    assert "_PyImport_Inittab" not in c
    assert ".builtin_extension_count = 2," in c
    assert '    {"pkg._fast", PyInit__fast},' in c.splitlines()


def test_ext_module_cannot_take_the_runtime_init_function(tmp_path: Path) -> None:
    with pytest.raises(embed.EmbedError, match="PyInit_oxidized_importer is the runtime's oxidized_importer"):
        _embed(tmp_path, builtin_extensions=["pkg.oxidized_importer"])


def test_embed_without_inittab_keeps_the_runtime_filter(tmp_path: Path) -> None:
    c = _embed(tmp_path, inittab="", excluded_builtins=["_ssl"])
    assert "_PyImport_Inittab" not in c
    assert ".excluded_builtin_count = 1," in c


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"inittab.json": "{"}, "inittab.json: not JSON"),
        ({"keep.txt": "not a name!\n"}, "keep.txt:1: 'not a name!' is not a module name"),
    ],
)
def test_embed_bad_inittab_inputs(tmp_path: Path, files: dict[str, str], message: str) -> None:
    overrides: dict[str, object] = {}
    for name, content in files.items():
        (tmp_path / name).write_text(content)
    if "keep.txt" in files:
        overrides["modules_keep_list"] = str(tmp_path / "keep.txt")
    table = tmp_path / "inittab.json"
    if "inittab.json" not in files:
        table.write_text(text())
    with pytest.raises(embed.EmbedError) as error:
        embed.run(output=tmp_path / "embedded.c", run_mode="module", run_target="app", inittab=str(table), **overrides)  # type: ignore[arg-type]
    assert message in str(error.value)
    assert not (tmp_path / "embedded.c").exists()


def test_licences_name_only_linked_libraries(tmp_path: Path) -> None:
    """A library linked in only for left-out modules is not in the binary's licences."""
    licences = tmp_path / "licenses.json"
    licences.write_text(json.dumps({"components": [
        {"name": "CPython", "version": "3.11.2", "spdx": "PSF-2.0", "origin": "source"},
        {"name": "OpenSSL", "version": "3", "spdx": "Apache-2.0", "origin": "deb", "modules": ["_hashlib", "_ssl"]},
        {"name": "libfoo", "version": "1", "spdx": "MIT", "origin": "deb", "modules": ["_foo"], "linkage": "shared"},
    ]}))
    c = _embed(tmp_path, licenses_files=[str(licences)], excluded_builtins=["_ssl", "_hashlib"])
    assert "CPython" in c_text(c) and "libfoo" in c_text(c) and "OpenSSL" not in c_text(c)
    c = _embed(tmp_path, licenses_files=[str(licences)], excluded_builtins=["_ssl"])
    assert "OpenSSL" in c_text(c)


def c_text(c: str) -> str:
    """The licences text .byte'd into the generated C."""
    data = bytearray()
    for line in c.splitlines():
        for chunk in line.split('".byte ')[1:]:
            data += bytes(int(b) for b in chunk.split("\\n")[0].split(", "))
    return data.decode("utf-8")
