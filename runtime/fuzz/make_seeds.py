#!/usr/bin/env python3
"""Writes small, valid packed-resources blobs into runtime/fuzz/corpus/.

Stdlib only. Usage: make_seeds.py [OUTPUT_DIR]

Each resource is a list of (field_id, value) pairs in index order:
  flags (0x04, 0x05, 0x16-0x1c): value None
  0x02 (v1 flavor):               int
  0x03 and single blobs:          bytes
  0x0b, 0x0c, 0x14, 0x15:         list of (name bytes, value bytes)
  0x0e:                           list of name bytes
  0x21-0x24 (rules_oxidizer: zstd-compressed source and bytecode): bytes, see zstd_raw_frame()
"""
import os
import struct
import sys
from pathlib import Path

# The field ids and widths come from the packed format's one field table; the blobs are
# assembled here, not by its writer, because some are deliberately non-canonical (NUL
# padding, sections in reverse order, format versions 1 and 2).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
from _oxidized_importer import packed_format as pf  # noqa: E402

INT_FMT = {1: "<B", 2: "<H", 4: "<I", 8: "<Q"}
_BYTES = {"H": 2, "I": 4, "Q": 8}
LEN_WIDTH = {f.id: _BYTES[f.length] for f in pf.FIELDS if f.kind in (pf.BYTES, pf.PATH)}
NAMED_WIDTH = {f.id: _BYTES[pf.MAP_VALUE_LENGTH[f.kind]] for f in pf.FIELDS if f.kind in pf.MAP_VALUE_LENGTH}
FLAGS = {f.id for f in pf.FIELDS if f.kind == pf.FLAG}
NAME_LISTS = {f.id: _BYTES[f.length] for f in pf.FIELDS if f.kind == pf.NAME_LIST}


def le(value, width):
    return struct.pack(INT_FMT[width], value)


def write(resources, version=3, padding=None, reverse_sections=False):
    """padding: None (no 0x04 field), 1 (explicit none) or 2 (NUL)."""
    pad = b"\0" if padding == 2 else b""
    sections = {}
    index = bytearray()
    for fields in resources:
        index.append(0x01)
        for fid, value in fields:
            index.append(fid)
            blobs = []
            if fid in FLAGS:
                pass
            elif fid == pf.FLAVOR:
                index += le(value, 1)
            elif fid in LEN_WIDTH:
                index += le(len(value), LEN_WIDTH[fid])
                blobs = [value]
            elif fid in NAMED_WIDTH:
                index += le(len(value), 4)
                for name, data in value:
                    index += le(len(name), 2) + le(len(data), NAMED_WIDTH[fid])
                    blobs += [name, data]
            elif fid in NAME_LISTS:
                index += le(len(value), NAME_LISTS[fid])
                for name in value:
                    index += le(len(name), 2)
                    blobs.append(name)
            else:
                raise ValueError("unknown field 0x%02x" % fid)
            section = sections.setdefault(fid, bytearray())
            for blob in blobs:
                section += blob + pad
        index.append(0xFF)
    index.append(0x00)

    order = sorted((f for f, data in sections.items() if data), reverse=reverse_sections)
    blob_index = bytearray()
    for fid in order:
        blob_index += bytes([0x01, 0x02, fid, 0x03]) + le(len(sections[fid]), 8)
        if padding is not None:
            blob_index += bytes([0x04, padding])
        blob_index.append(0xFF)
    blob_index.append(0x00)

    out = bytearray(b"pyembed" + bytes([version]))
    out += le(len(order), 1) + le(len(blob_index), 4)
    out += le(len(resources), 4) + le(len(index), 4)
    out += blob_index + index
    for fid in order:
        out += sections[fid]
    return bytes(out)


def zstd_raw_frame(data):
    """A zstd frame holding `data` (at most 255 bytes) in one raw block.

    Frame header descriptor 0x20 (single segment, 1-byte content size), then the block
    header (last block, raw, size) and the bytes: what the runtime decompresses.
    """
    assert len(data) < 256
    block = 1 | (len(data) << 3)
    return b"\x28\xb5\x2f\xfd" + bytes([0x20, len(data)]) + le(block, 4)[:3] + data


def all_fields_v3():
    return [
        [
            (0x03, b"pkg.mod"), (0x04, None), (0x05, None),
            (0x06, b"print('hi')\n"), (0x07, b"\xe3BYTECODE"),
            (0x08, b"\xe3O1"), (0x09, b"\xe3O2"), (0x0A, b"\x7fELFext"),
            (0x0B, [(b"data.txt", b"hello"), (b"empty", b"")]),
            (0x0C, [(b"METADATA", b"Name: pkg\n")]),
            (0x0D, b"\x7fELFlib"), (0x0E, [b"libc.so.6", b"libm.so.6"]),
            (0x0F, b"pkg/mod.py"), (0x10, b"pkg/mod.pyc"),
            (0x11, b"pkg/mod.opt-1.pyc"), (0x12, b"pkg/mod.opt-2.pyc"),
            (0x13, b"pkg/mod.so"), (0x14, [(b"res.txt", b"pkg/res.txt")]),
            (0x15, [(b"RECORD", b"pkg-1.0.dist-info/RECORD")]),
            (0x16, None), (0x17, None), (0x18, None), (0x19, None),
            (0x1A, None), (0x1B, None), (0x1C, None),
            (0x1D, b"file bytes"), (0x1E, "d\u00e4ta/f.bin".encode()),
        ],
        [(0x03, b"zeta"), (0x16, None), (0x07, b"zbc"), (0x0E, []), (0x0C, [])],
        [(0x03, "caf\u00e9".encode()), (0x06, b""), (0x1D, b"")],
        [
            (0x03, b"zipped"), (0x16, None), (0x22, zstd_raw_frame(b"\xe3BYTECODE")),
            (0x08, b"\xe3O1"), (0x24, zstd_raw_frame(b"\xe3O2")), (0x21, zstd_raw_frame(b"x = 1\n")),
        ],
        [(0x03, b"zipped1"), (0x16, None), (0x07, b"zbc"), (0x23, zstd_raw_frame(b"\xe3O1"))],
    ]


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus")
    os.makedirs(out_dir, exist_ok=True)
    many = [[(0x03, b"mod%03d" % i), (0x16, None), (0x07, b"bc%d" % i)]
            for i in range(40)]
    seeds = {
        "empty_v3": write([]),
        "empty_v1": write([], version=1),
        "all_fields_v3": write(all_fields_v3()),
        "all_fields_v3_nul": write(all_fields_v3(), padding=2),
        "all_fields_v3_none_rev": write(all_fields_v3(), padding=1, reverse_sections=True),
        "v1_flavors": write([
            [(0x02, f), (0x03, b"f%d" % f), (0x07, b"x" * f),
             (0x0B, [(b"r", b"v")] if f == 1 else []), (0x04, None)]
            for f in range(6)
        ], version=1),
        "v1_flavors_nul": write([[(0x03, b"lib"), (0x02, 5), (0x0D, b"ELF"),
                                  (0x0E, [b"a", b"b"])]], version=1, padding=2),
        "v2_types": write([[(0x03, b"m%d" % i), (0x16 + i, None), (0x0F, b"p%d" % i)]
                           for i in range(5)], version=2),
        "many_sorted": write(many),
        "many_unsorted": write(list(reversed(many))),
    }
    for name, data in sorted(seeds.items()):
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(seeds), out_dir))


if __name__ == "__main__":
    main()
