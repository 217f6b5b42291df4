"""Bazel 4.2.3 shim of @rules_cc//cc:defs.bzl: re-exports the native C++ rules.

Only WORKSPACE (the Bazel 4 path) wires this repository in; bzlmod users get the real
rules_cc from MODULE.bazel. Debian's bazel-rules-cc cannot be used because it loads
`use_cpp_toolchain`, which Bazel 4's @bazel_tools lacks.
"""

load("//cc/common:cc_info.bzl", _CcInfo = "CcInfo")

cc_binary = native.cc_binary
cc_import = native.cc_import
cc_library = native.cc_library
cc_proto_library = native.cc_proto_library
cc_test = native.cc_test
cc_toolchain = native.cc_toolchain
cc_toolchain_suite = native.cc_toolchain_suite
objc_library = native.objc_library
CcInfo = _CcInfo
