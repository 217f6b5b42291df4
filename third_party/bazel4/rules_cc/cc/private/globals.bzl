"""Binds Bazel 4's global C++ symbols to names other files can re-export.

A file that assigns `CcInfo` cannot also read the global `CcInfo`, hence this file.
"""

CC_INFO = CcInfo
CC_COMMON = cc_common
