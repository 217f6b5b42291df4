"""Bazel 4.2.3 shim of @rules_cc//cc/common:cc_info.bzl."""

load("//cc/private:globals.bzl", "CC_INFO")

CcInfo = CC_INFO
