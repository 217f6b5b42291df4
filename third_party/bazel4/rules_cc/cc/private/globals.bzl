"""Binds Bazel 4's global C++ symbols to names other files can re-export.

A file that assigns `CcInfo` cannot also read the global `CcInfo`, hence this file.
"""

# Reading Bazel 4's globals is this shim's purpose (there is no rules_cc to load them from).
CC_INFO = CcInfo  # buildifier: disable=native-cc-info
CC_COMMON = cc_common  # buildifier: disable=native-cc-common
