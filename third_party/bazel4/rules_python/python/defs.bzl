"""Bazel 4.2.3 shim of @rules_python//python:defs.bzl: re-exports the native Python rules.

Wired in only from WORKSPACE (the Bazel 4 path); bzlmod users get the real rules_python.
"""

load("//python/private:globals.bzl", "PY_INFO", "PY_RUNTIME_INFO")

py_binary = native.py_binary
py_library = native.py_library
py_runtime = native.py_runtime
py_test = native.py_test
PyInfo = PY_INFO
PyRuntimeInfo = PY_RUNTIME_INFO
