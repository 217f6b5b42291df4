"""Tests for oxidizer_tools.packed_resources."""

from __future__ import annotations

import dataclasses
import itertools
import random
import struct
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oxidizer_tools.packed_resources import (
    HEADER_V3,
    ZSTD_FIELDS,
    BlobSectionField,
    FrozenMap,
    PackedResourcesError,
    Resource,
    ResourceField,
    merge_resources,
    packed_resources_length,
    read_packed_resources,
    write_packed_resources,
)


def u16(n: int) -> bytes:
    return struct.pack("<H", n)


def u32(n: int) -> bytes:
    return struct.pack("<I", n)


def u64(n: int) -> bytes:
    return struct.pack("<Q", n)


def build(
    version: int,
    sections: list[tuple[int, bytes]],
    entries: list[bytes],
    *,
    padding: int | None = None,
    count: int | None = None,
) -> bytes:
    """Hand-assemble a blob, independently of the writer under test.

    ``sections`` are (field id, raw section bytes including any padding);
    ``entries`` are resource index entries without the 0x01/0xff markers.
    """
    blob_index = b""
    for fid, raw in sections:
        blob_index += b"\x01\x02" + bytes([fid]) + b"\x03" + u64(len(raw))
        if padding is not None:
            blob_index += b"\x04" + bytes([padding])
        blob_index += b"\xff"
    blob_index += b"\x00"
    resources_index = b"".join(b"\x01" + e + b"\xff" for e in entries) + b"\x00"
    header = b"pyembed" + bytes([version])
    header += bytes([len(sections)]) + u32(len(blob_index))
    header += u32(len(entries) if count is None else count) + u32(len(resources_index))
    return header + blob_index + resources_index + b"".join(raw for _, raw in sections)


# One sample value per non-name field, used for per-field round trips.
SAMPLES: dict[str, Any] = {
    "is_package": True,
    "is_namespace_package": True,
    "in_memory_source": b"print('hi')\n",
    "in_memory_bytecode": b"\xe3\x00bytecode",
    "in_memory_bytecode_opt1": b"opt1",
    "in_memory_bytecode_opt2": b"opt2",
    "in_memory_extension_module_shared_library": b"\x7fELF-ext",
    "in_memory_package_resources": {"data.txt": b"hello", "a/b.bin": b"\x00\x01"},
    "in_memory_distribution_resources": {"METADATA": b"Name: foo\n", "RECORD": b""},
    "in_memory_shared_library": b"\x7fELF-lib",
    "shared_library_dependency_names": ("libc.so.6", "libm.so.6"),
    "relative_path_module_source": "lib/foo/__init__.py",
    "relative_path_module_bytecode": "lib/foo/__pycache__/__init__.cpython-311.pyc",
    "relative_path_module_bytecode_opt1": "lib/foo/o1.pyc",
    "relative_path_module_bytecode_opt2": "lib/foo/o2.pyc",
    "relative_path_extension_module_shared_library": "lib/foo/_speedups.so",
    "relative_path_package_resources": {"data.txt": "lib/foo/data.txt"},
    "relative_path_distribution_resources": {"METADATA": "lib/foo-1.0.dist-info/METADATA"},
    "is_module": True,
    "is_builtin_extension_module": True,
    "is_frozen_module": True,
    "is_extension_module": True,
    "is_shared_library": True,
    "is_utf8_filename": True,
    "file_executable": True,
    "file_data_embedded": b"#!/bin/sh\n",
    "file_data_utf8_relative_path": "bin/tool",
    "is_filesystem_extracted": True,
    "extraction_payload": b"OXEX payload",
    "in_memory_source_zstd": b"\x28\xb5\x2f\xfd frame",
    "in_memory_bytecode_zstd": b"\x28\xb5\x2f\xfd bc0",
    "in_memory_bytecode_opt1_zstd": b"\x28\xb5\x2f\xfd bc1",
    "in_memory_bytecode_opt2_zstd": b"\x28\xb5\x2f\xfd bc2",
}
# The zstd fields, each exclusive with its plain field (ZSTD_FIELDS).
ZSTD_ATTRS = {zstd.attr: plain.attr for zstd, plain in ZSTD_FIELDS.items()}


def everything(name: str = "everything") -> Resource:
    """Every field but the zstd ones (0x21-0x24), which exclude their plain fields."""
    return Resource(name=name, **{k: v for k, v in SAMPLES.items() if k not in ZSTD_ATTRS})


def everything_compressed(name: str = "compressed") -> Resource:
    """Every field but the plain ones (0x06-0x09) that the zstd fields stand for."""
    plain = set(ZSTD_ATTRS.values())
    return Resource(name=name, **{k: v for k, v in SAMPLES.items() if k not in plain})


def roundtrip(resources: list[Resource]) -> list[Resource]:
    return read_packed_resources(write_packed_resources(resources))


# --------------------------------------------------------------------------- model


def test_samples_cover_every_field() -> None:
    attrs = {f.name for f in dataclasses.fields(Resource)} - {"name"}
    assert set(SAMPLES) == attrs
    table = {f.attr for f in ResourceField} & (attrs | {"name"})
    assert table == attrs | {"name"}


def test_resource_normalizes_and_hashes() -> None:
    r = Resource("x", in_memory_package_resources={"b": b"2", "a": b"1"},
                 shared_library_dependency_names=["l"])  # type: ignore[arg-type]
    assert isinstance(r.in_memory_package_resources, FrozenMap)
    assert list(r.in_memory_package_resources) == ["a", "b"]
    assert r.in_memory_package_resources == {"a": b"1", "b": b"2"}
    assert r.shared_library_dependency_names == ("l",)
    same = Resource("x", in_memory_package_resources=FrozenMap([("a", b"1"), ("b", b"2")]),
                    shared_library_dependency_names=("l",))
    assert r == same and hash(r) == hash(same)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.name = "y"  # type: ignore[misc]


# --------------------------------------------------------------------------- exact bytes


def test_empty_exact_bytes() -> None:
    expected = HEADER_V3 + b"\x00" + u32(1) + u32(0) + u32(1) + b"\x00\x00"
    assert write_packed_resources([]) == expected
    assert read_packed_resources(expected) == []


def test_name_only_exact_bytes() -> None:
    expected = (
        b"pyembed\x03"
        + b"\x01"  # one blob section
        + u32(1 + 2 + 9 + 1 + 1)  # start, field type+value, length field+u64, end, end of index
        + u32(1)  # one resource
        + u32(1 + 3 + 1 + 1)  # start, name field+u16, end, end of index
        + b"\x01\x02\x03\x03" + u64(3) + b"\xff\x00"
        + b"\x01\x03" + u16(3) + b"\xff\x00"
        + b"foo"
    )
    assert write_packed_resources([Resource("foo")]) == expected
    assert read_packed_resources(expected) == [Resource("foo")]


def test_multi_entry_interleaving_exact_bytes() -> None:
    data = write_packed_resources(
        [Resource("m", in_memory_package_resources={"bb": b"22", "a": b"1"}, is_module=True)]
    )
    index = (
        b"\x01\x03" + u16(1)
        + b"\x0b" + u32(2) + u16(1) + u64(1) + u16(2) + u64(2)
        + b"\x16\xff\x00"
    )
    assert index + b"m" + b"a1bb22" == data[-len(index) - 7 :]


def test_sections_ascending_and_resources_sorted_by_utf8() -> None:
    resources = [Resource("é", in_memory_source=b"E"), Resource("z", in_memory_bytecode=b"Z"),
                 Resource("a", file_data_embedded=b"A", in_memory_source=b"S")]
    data = write_packed_resources(resources)
    assert data.endswith("az\u00e9".encode() + b"SE" + b"Z" + b"A")
    assert [r.name for r in read_packed_resources(data)] == ["a", "z", "é"]


def test_empty_payloads_get_a_zero_length_section() -> None:
    resource = Resource("a", in_memory_source=b"", in_memory_package_resources={})
    data = write_packed_resources([resource])
    assert b"\x01\x02\x06\x03" + u64(0) + b"\xff" in data
    assert b"\x01\x02\x0b\x03" + u64(0) + b"\xff" in data
    assert read_packed_resources(data) == [resource]


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("attr", sorted(SAMPLES))
def test_roundtrip_each_field(attr: str) -> None:
    resource = Resource("pkg.mod", **{attr: SAMPLES[attr]})
    assert roundtrip([resource]) == [resource]


def test_roundtrip_everything() -> None:
    resources = [everything("b"), everything("a"), Resource("c", is_package=True), Resource("日本")]
    assert roundtrip(resources) == sorted(resources, key=lambda r: r.name.encode())


def test_deterministic_regardless_of_input_order() -> None:
    resources = [everything("x"), Resource("y", in_memory_source=b"y"), Resource("w", is_module=True)]
    outputs = {write_packed_resources(p) for p in itertools.permutations(resources)}
    assert len(outputs) == 1


def test_reads_memoryview_and_length() -> None:
    data = write_packed_resources([everything()])
    assert read_packed_resources(memoryview(data)) == [everything()]
    assert packed_resources_length(data + b"trailing junk") == len(data)


rel_paths = st.lists(st.sampled_from(["a", "b.py", "dir", "é"]), min_size=1, max_size=3).map("/".join)


@st.composite
def resources(draw: st.DrawFn) -> Resource:
    kwargs: dict[str, Any] = {}
    for attr, sample in SAMPLES.items():
        if not draw(st.booleans()):
            continue
        if isinstance(sample, bool):
            kwargs[attr] = True
        elif isinstance(sample, bytes):
            kwargs[attr] = draw(st.binary(max_size=16))
        elif isinstance(sample, str):
            kwargs[attr] = draw(rel_paths)
        elif isinstance(sample, tuple):
            kwargs[attr] = tuple(draw(st.lists(st.text(max_size=5), max_size=3)))
        elif attr.startswith("relative_path_"):
            kwargs[attr] = draw(st.dictionaries(st.text(max_size=5), rel_paths, max_size=3))
        else:
            kwargs[attr] = draw(st.dictionaries(st.text(max_size=5), st.binary(max_size=8), max_size=3))
    for zstd, plain in ZSTD_ATTRS.items():
        if plain in kwargs:
            kwargs.pop(zstd, None)  # one or the other
    return Resource(draw(st.text(min_size=1)), **kwargs)


@settings(max_examples=200, deadline=None)
@given(st.lists(resources(), max_size=4, unique_by=lambda r: r.name))
def test_roundtrip_hypothesis(rs: list[Resource]) -> None:
    assert roundtrip(rs) == sorted(rs, key=lambda r: r.name.encode())


# --------------------------------------------------------------------------- v1 / v2 inputs


def test_read_v1_with_nul_padding_and_flavors() -> None:
    names = [b"bltin", b"ext", b"frozen", b"mod", b"none", b"shlib"]
    flavors = [2, 4, 3, 1, 0, 5]
    entries = [b"\x02" + bytes([f]) + b"\x03" + u16(len(n)) for n, f in zip(names, flavors)]
    entries[3] += b"\x04\x06" + u32(3) + b"\x0b" + u32(1) + u16(1) + u64(2) + b"\x0f" + u32(4)
    sections = [
        (0x03, b"".join(n + b"\x00" for n in names)),
        (0x06, b"src\x00"),
        (0x0b, b"r\x00xy\x00"),
        (0x0f, b"a.py\x00"),
    ]
    got = read_packed_resources(build(1, sections, entries, padding=0x02))
    assert got == [
        Resource("bltin", is_builtin_extension_module=True),
        Resource("ext", is_extension_module=True),
        Resource("frozen", is_frozen_module=True),
        Resource("mod", is_module=True, is_package=True, in_memory_source=b"src",
                 in_memory_package_resources={"r": b"xy"}, relative_path_module_source="a.py"),
        Resource("none"),
        Resource("shlib", is_shared_library=True),
    ]


def test_read_v2_with_nul_padding() -> None:
    entries = [
        b"\x03" + u16(1) + b"\x16\x07" + u32(2) + b"\x0e" + u16(2) + u16(1) + u16(2),
        b"\x03" + u16(1) + b"\x1a\x0d" + u64(3) + b"\x14" + u32(1) + u16(1) + u32(3),
    ]
    sections = [
        (0x03, b"a\x00b\x00"),
        (0x07, b"bc\x00"),
        (0x0d, b"lib\x00"),
        (0x0e, b"x\x00yz\x00"),
        (0x14, b"k\x00p/q\x00"),
    ]
    got = read_packed_resources(build(2, sections, entries, padding=0x02))
    assert got == [
        Resource("a", is_module=True, in_memory_bytecode=b"bc", shared_library_dependency_names=("x", "yz")),
        Resource("b", is_shared_library=True, in_memory_shared_library=b"lib",
                 relative_path_package_resources={"k": "p/q"}),
    ]


def test_read_explicit_no_padding_and_unsorted_names() -> None:
    data = build(2, [(0x03, b"zyxa")], [b"\x03" + u16(3), b"\x03" + u16(1)], padding=0x01)
    assert [r.name for r in read_packed_resources(data)] == ["zyx", "a"]


def test_read_tolerates_missing_section_for_empty_payload() -> None:
    # The canonical writer omits sections whose total length is zero.
    data = build(3, [(0x03, b"a")], [b"\x03" + u16(1) + b"\x06" + u32(0)])
    assert read_packed_resources(data) == [Resource("a", in_memory_source=b"")]


# --------------------------------------------------------------------------- writer errors


class HugeBytes(bytes):
    """Pretends to be larger than it is, to hit length limits without allocating."""

    def __len__(self) -> int:
        return 2**32


@pytest.mark.parametrize(
    ("resources", "message"),
    [
        ([Resource("a"), Resource("b"), Resource("a", is_module=True)], "'a': duplicate"),
        ([Resource("")], "empty name"),
        ([Resource("n" * 65536)], "name is 65536 bytes, more than the u16"),
        ([Resource("big", in_memory_source=HugeBytes(b"x"))], "'big': in_memory_source is 4294967296 bytes"),
        ([Resource("big", in_memory_package_resources={"k" * 65536: b""})], "'big': in_memory_package_"),
        ([Resource("deps", shared_library_dependency_names=("l",) * 65536)], "65536 entries, more than"),
        ([Resource("deps", shared_library_dependency_names=("l" * 65536,))], "'deps': shared_library"),
        ([Resource("\ud800")], "not encodable as UTF-8"),
        ([Resource("a", in_memory_package_resources={"\udc00": b""})], "not encodable as UTF-8"),
        ([Resource("abs", relative_path_module_source="/etc/passwd")], "'abs': relative_path_module_source"),
        ([Resource("up", relative_path_module_bytecode="a/../../b")], "'up': relative_path_module_bytecode"),
        ([Resource("e", file_data_utf8_relative_path="")], "is empty"),
        ([Resource("nul", relative_path_module_source="a\x00b")], "NUL"),
        ([Resource("map", relative_path_package_resources={"k": "../k"})], "'map': relative_path_package_"),
        ([Resource("d", relative_path_distribution_resources={"k": "/k"})], "is absolute"),
        ([Resource("s", in_memory_source=b"x", in_memory_source_zstd=b"z")], "'s': has both in_memory_source and"),
        ([Resource("b", in_memory_bytecode=b"x", in_memory_bytecode_zstd=b"z")], "'b': has both in_memory_bytecode and"),
        (
            [Resource("b", in_memory_bytecode_opt1=b"x", in_memory_bytecode_opt1_zstd=b"z")],
            "'b': has both in_memory_bytecode_opt1 and in_memory_bytecode_opt1_zstd",
        ),
        (
            [Resource("b", in_memory_bytecode_opt2=b"x", in_memory_bytecode_opt2_zstd=b"z")],
            "'b': has both in_memory_bytecode_opt2 and in_memory_bytecode_opt2_zstd",
        ),
    ],
)
def test_writer_errors(resources: list[Resource], message: str) -> None:
    with pytest.raises(PackedResourcesError, match=message.replace("(", r"\(")):
        write_packed_resources(resources)


# --------------------------------------------------------------------------- reader errors

NAME_A = [(0x03, b"a")]
ENTRY_A = [b"\x03" + u16(1)]


def patch(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new) :]


VALID = build(3, NAME_A, ENTRY_A)
BLOB_INDEX_END = 21 + 14


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"pyemb", "truncated header"),
        (b"pyEMBED\x03" + bytes(13), "bad magic"),
        (b"pyembed\x04" + bytes(13), "unsupported .* version 4"),
        (b"pyembed\x00" + bytes(13), "unsupported .* version 0"),
        (b"pyembed\x03" + bytes(5), "truncated global header"),
        (b"pyembed\x03" + bytes(13) + b"\x00", "1 trailing bytes"),
        (b"pyembed\x03\x00" + u32(0) + u32(1) + u32(0), "cannot fit|truncated"),
        (VALID + b"\x00", "1 trailing bytes"),
        (VALID[:-1], "truncated data"),
        (patch(VALID, 21, b"\x07"), "bad blob index marker 0x07"),
        (patch(VALID, 22, b"\x09"), "unknown blob index field 0x09"),
        (patch(VALID, 23, b"\x04"), "no blob data"),
        (patch(VALID, 23, b"\x42"), "no blob data"),
        (patch(VALID, 8, b"\x02"), "blob section count is 2"),
        (patch(VALID, 9, u32(15)), "blob index length is 15"),
        (build(3, NAME_A, ENTRY_A, padding=0x03), "bad interior padding value 0x03"),
        (build(3, NAME_A, ENTRY_A, padding=0x02), "missing NUL padding"),
        (build(3, [(0x03, b"a"), (0x03, b"")], ENTRY_A), "duplicate blob section"),
        (build(3, [(0x03, b"ab")], ENTRY_A), "1 unreferenced bytes"),
        (build(3, NAME_A, ENTRY_A, count=2), "resource count is 2, but the index has 1"),
        (build(3, NAME_A, ENTRY_A, count=0), "more than the 0 resources"),
        (build(3, NAME_A, [b"\x03" + u16(2)]), "resource #0: blob section for field 0x03 overrun"),
        (build(3, NAME_A, [b"\x03" + u16(1) + b"\x06" + u32(1)]), "'a': field 0x06 has 1 bytes of"),
        (build(3, [(0x03, b"\xff")], ENTRY_A), "not valid UTF-8"),
        (build(3, [], [b"\x04"]), "resource #0: no name"),
        (build(3, NAME_A, [b"\x03" + u16(1) + b"\x25"]), "'a': unknown field 0x25"),
        (build(2, NAME_A, [b"\x03" + u16(1) + b"\x21" + u32(0)]), "unknown field 0x21 for version 2"),
        (build(2, NAME_A, [b"\x03" + u16(1) + b"\x24" + u32(0)]), "unknown field 0x24 for version 2"),
        (
            build(3, [(0x03, b"a"), (0x06, b"s"), (0x21, b"z")], [ENTRY_A[0] + b"\x06" + u32(1) + b"\x21" + u32(1)]),
            "'a': has both in_memory_source \\(0x06\\) and in_memory_source_zstd",
        ),
        (
            build(3, [(0x03, b"a"), (0x07, b"b"), (0x22, b"z")], [ENTRY_A[0] + b"\x07" + u32(1) + b"\x22" + u32(1)]),
            "'a': has both in_memory_bytecode \\(0x07\\) and in_memory_bytecode_zstd \\(0x22\\)",
        ),
        (
            build(3, [(0x03, b"a"), (0x09, b"b"), (0x24, b"z")], [ENTRY_A[0] + b"\x09" + u32(1) + b"\x24" + u32(1)]),
            "'a': has both in_memory_bytecode_opt2 \\(0x09\\) and in_memory_bytecode_opt2_zstd \\(0x24\\)",
        ),
        (build(3, NAME_A, [b"\x03" + u16(1) + b"\x02\x01"]), "unknown field 0x02 for version 3"),
        (build(2, NAME_A, [b"\x03" + u16(1) + b"\x1b"]), "unknown field 0x1b for version 2"),
        (build(1, NAME_A, [b"\x03" + u16(1) + b"\x16"]), "unknown field 0x16 for version 1"),
        (build(1, NAME_A, [b"\x03" + u16(1) + b"\x02\x06"]), "unknown flavor 0x06"),
        (build(3, NAME_A, [b"\x03" + u16(1) + b"\x04\x04"]), "field 0x04 repeated"),
        (build(3, [(0x03, b"")], [b"\x03" + u16(0)]), "empty name"),
        (build(3, [(0x03, b"a"), (0x0f, b"/x")], [b"\x03" + u16(1) + b"\x0f" + u32(2)]), "is absolute"),
        (build(3, [(0x03, b"a"), (0x0f, b"\xff")], [b"\x03" + u16(1) + b"\x0f" + u32(1)]), "not valid UTF-8"),
        (patch(VALID, BLOB_INDEX_END, b"\x05"), "bad resources index marker 0x05"),
        (patch(VALID, 17, u32(7)), "truncated data"),
        (patch(VALID, 17, u32(5))[:-1], "truncated resources index"),
        (patch(VALID[:-1] + b"\x00a", 17, u32(7)), "resources index ends 1 bytes before"),
    ],
)
def test_reader_errors(data: bytes, message: str) -> None:
    with pytest.raises(PackedResourcesError, match=message):
        read_packed_resources(data)


def test_header_only_blob_is_empty() -> None:
    """The 21-byte header with no index bytes: no resources, as the runtime's parser reads it."""
    for version in (1, 2, 3):
        assert read_packed_resources(b"pyembed" + bytes([version]) + bytes(13)) == []


def test_resources_of_one_name_merge_later_wins() -> None:
    """As PyOxidizer's index and the runtime's parser: flags OR-ed, later fields win."""
    data = build(
        3,
        [(0x03, b"aba"), (0x06, b"old"), (0x07, b"BC"), (0x0B, b"kold" + b"knew")],
        [
            b"\x03" + u16(1) + b"\x16" + b"\x06" + u32(3) + b"\x07" + u32(2),
            b"\x03" + u16(1),
            b"\x03" + u16(1) + b"\x04" + b"\x06" + u32(0) + b"\x0b" + u32(2) + (u16(1) + u64(3)) * 2,
        ],
    )
    (a, b) = read_packed_resources(data)
    assert (a.name, b.name) == ("a", "b")
    assert a.is_module and a.is_package
    assert a.in_memory_source == b""
    assert a.in_memory_bytecode == b"BC"
    # A repeated entry name inside one field: the later entry wins.
    assert dict(a.in_memory_package_resources or {}) == {"k": b"new"}


def test_merge_resources_replaces_the_source_in_either_form() -> None:
    older = Resource("m", is_module=True, in_memory_source=b"plain", in_memory_bytecode=b"BC")
    newer = Resource("m", is_package=True, in_memory_source_zstd=b"zstd")
    merged = merge_resources(older, newer)
    assert merged == Resource("m", is_module=True, is_package=True, in_memory_source_zstd=b"zstd",
                              in_memory_bytecode=b"BC")
    with pytest.raises(ValueError):
        merge_resources(older, Resource("other"))


def test_merge_resources_replaces_each_bytecode_level_in_either_form() -> None:
    older = Resource("m", in_memory_bytecode=b"BC0", in_memory_bytecode_opt1_zstd=b"Z1", in_memory_bytecode_opt2=b"BC2")
    newer = Resource("m", in_memory_bytecode_zstd=b"Z0", in_memory_bytecode_opt1=b"BC1")
    assert merge_resources(older, newer) == Resource(
        "m", in_memory_bytecode_zstd=b"Z0", in_memory_bytecode_opt1=b"BC1", in_memory_bytecode_opt2=b"BC2"
    )


def test_compressed_fields_roundtrip() -> None:
    resources = [everything_compressed("c"), everything("p")]
    assert roundtrip(resources) == resources


def test_all_truncations_fail() -> None:
    data = write_packed_resources([everything("a"), everything("b"), Resource("c")])
    for end in range(len(data)):
        with pytest.raises(PackedResourcesError):
            read_packed_resources(data[:end])


def _mutate(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        pos = rng.randrange(len(buf) + 1)
        if op < 0.6 and pos < len(buf):
            buf[pos] = rng.choice([0, 1, 2, 0xFF, rng.randrange(256)])
        elif op < 0.8:
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 3)))
        else:
            del buf[pos : pos + rng.randint(1, 3)]
    return bytes(buf)


def test_random_mutations_raise_only_packed_resources_error() -> None:
    rng = random.Random(20240501)
    seeds = [
        write_packed_resources([everything("a"), Resource("b", is_module=True, in_memory_source=b"s")]),
        build(1, [(0x03, b"a\x00"), (0x06, b"x\x00")], [b"\x02\x01\x03" + u16(1) + b"\x06" + u32(1)],
              padding=0x02),
    ]
    outcomes = {"ok": 0, "error": 0}
    for i in range(4000):
        data = _mutate(rng, seeds[i % len(seeds)])
        try:
            read_packed_resources(data)
            outcomes["ok"] += 1
        except PackedResourcesError:
            outcomes["error"] += 1
    assert outcomes["error"] > 1000  # the mutations do exercise the error paths


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_arbitrary_suffix_after_header_raises_only_packed_resources_error(tail: bytes) -> None:
    for header in (b"pyembed\x01", b"pyembed\x02", HEADER_V3):
        try:
            read_packed_resources(header + tail)
        except PackedResourcesError:
            pass


def test_enum_values() -> None:
    assert int(BlobSectionField.INTERIOR_PADDING) == 0x04
    assert int(ResourceField.FILE_DATA_UTF8_RELATIVE_PATH) == 0x1E
    assert ResourceField.IN_MEMORY_PACKAGE_RESOURCES.attr == "in_memory_package_resources"
