"""Tests for oxidizer_tools.packed_format_gen (the C header and docs table of the field table).

The committed renderings are also checked by Bazel (//runtime:packed_fields_header_test,
//docs:packed_format_notes_test); these run in the quick loop.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from _oxidized_importer import packed_format as pf
from _oxidized_importer.classification import OPTIMIZE_LEVELS

from oxidizer_tools import packed_format_gen as gen

_ROOT = Path(__file__).resolve().parents[2]


def test_committed_header_is_current() -> None:
    committed = (_ROOT / "runtime/include/oxidizer/packed_fields.h").read_text(encoding="utf-8")
    assert committed == gen.c_header(), "run: bazel run //runtime:update_packed_fields_header"


def test_committed_docs_table_is_current() -> None:
    notes = (_ROOT / "docs/packed-format-notes.md").read_text(encoding="utf-8")
    start = notes.index("<!-- BEGIN GENERATED: packed-fields -->")
    end = notes.index("<!-- END GENERATED: packed-fields -->\n") + len("<!-- END GENERATED: packed-fields -->\n")
    assert notes[start:end] == gen.markdown_table(), "run: bazel run //docs:update_packed_fields_table"


def test_header_rows_follow_the_table() -> None:
    header = gen.c_header()
    rows = re.findall(r"X\((OXR_FIELD_\w+), (\w+), (\d), (\d), (\w+), \"(\w+)\"\)", header)
    assert [row[5] for row in rows] == [f.attr for f in pf.FIELDS]
    by_attr = {row[5]: row for row in rows}
    # The name is its own kind; maps give their value's length width, flags none.
    assert by_attr["name"][1:3] == ("NAME", "2")
    assert by_attr["is_package"][1:3] == ("FLAG", "0")
    assert by_attr["in_memory_package_resources"][1:3] == ("BYTES_MAP", "8")
    assert by_attr["relative_path_package_resources"][1:3] == ("PATH_MAP", "4")
    assert by_attr["shared_library_dependency_names"][1:3] == ("NAME_LIST", "2")
    assert by_attr["in_memory_shared_library"][1:3] == ("BYTES", "8")
    assert by_attr["file_data_utf8_relative_path"][1:4] == ("PATH", "4", "3")
    for f in pf.FIELDS:
        assert f"#define {gen.c_id_name(f)} " in header
        assert re.search(rf"#define {gen.c_id_name(f)} +0x{f.id:02x}\n", header)


def test_flag_bits_are_distinct_and_in_id_order() -> None:
    bits = re.findall(r"#define (OXR_FLAG_\w+) +\(1u << (\d+)\)", gen.c_header())
    flags = [f for f in pf.FIELDS if f.kind == pf.FLAG]
    assert [name for name, _ in bits] == [f.c_name for f in flags]
    assert [int(bit) for _, bit in bits] == list(range(len(flags)))


@pytest.mark.parametrize("form", sorted(gen.FORMS))
def test_write(tmp_path: Path, form: str) -> None:
    out = tmp_path / "out"
    gen.write(form, out)
    assert out.read_text(encoding="utf-8") == gen.FORMS[form]()


def test_bytecode_fields_by_optimization_level() -> None:
    # One field of each kind per optimization level, named `..._opt<level>` beyond level 0.
    for fields, base in ((pf.BYTECODE_FIELDS, "in_memory_bytecode"), (pf.BYTECODE_PATH_FIELDS, "relative_path_module_bytecode")):
        assert len(fields) == len(OPTIMIZE_LEVELS)
        for level in OPTIMIZE_LEVELS:
            assert fields[level] == (f"{base}_opt{level}" if level else base)
            assert fields[level] in pf.BY_ATTR
