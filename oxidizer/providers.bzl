"""Public providers of rules_oxidizer."""

load("//oxidizer/private:providers.bzl", _OxidizedResourcesInfo = "OxidizedResourcesInfo", _PythonDistributionInfo = "PythonDistributionInfo")

OxidizedResourcesInfo = _OxidizedResourcesInfo
PythonDistributionInfo = _PythonDistributionInfo
