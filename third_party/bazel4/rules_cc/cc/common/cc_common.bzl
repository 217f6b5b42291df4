"""Bazel 4.2.3 shim of @rules_cc//cc/common:cc_common.bzl."""

load("//cc/private:globals.bzl", "CC_COMMON")

cc_common = CC_COMMON
