"""Binds Bazel 4's global Python providers to names defs.bzl can re-export."""

PY_INFO = PyInfo
PY_RUNTIME_INFO = PyRuntimeInfo
