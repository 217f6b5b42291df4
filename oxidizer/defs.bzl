"""Public API of rules_oxidizer. Everything outside this file and providers.bzl is private."""

load("//oxidizer/private:oxidized_resources.bzl", _oxidized_resources = "oxidized_resources")
load("//oxidizer/private:providers.bzl", _OxidizedResourcesInfo = "OxidizedResourcesInfo", _PythonDistributionInfo = "PythonDistributionInfo")
load("//oxidizer/private:py_oxidized_binary.bzl", _py_oxidized_binary = "py_oxidized_binary")

py_oxidized_binary = _py_oxidized_binary
oxidized_resources = _oxidized_resources
OxidizedResourcesInfo = _OxidizedResourcesInfo
PythonDistributionInfo = _PythonDistributionInfo
