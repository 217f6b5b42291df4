"""A header-only ELF shared object, for tests whose `.so` files are classified and packed but never loaded.

The classifier reads only the ELF header of extension modules and shared libraries
(`extension_filter.shared_object_problem`): class, byte order and `e_type == ET_DYN`.
"""

from __future__ import annotations

import struct

# e_ident (ELFCLASS64, little-endian, version 1, System V ABI), then e_type ET_DYN (3),
# e_machine x86-64 (62), e_version 1; the rest of the 64-byte header zero.
SHARED_OBJECT_STUB = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + struct.pack("<HHI", 3, 62, 1) + b"\x00" * 40
assert len(SHARED_OBJECT_STUB) == 64
