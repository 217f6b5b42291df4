"""Bazel 4.2.3 shim: py_runtime_pair lives in @bazel_tools there."""

load("@bazel_tools//tools/python:toolchain.bzl", _py_runtime_pair = "py_runtime_pair")

py_runtime_pair = _py_runtime_pair
