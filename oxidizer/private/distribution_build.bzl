"""BUILD file text every distribution repository shares (local installation, source build)."""

# The standard library as one separately cached resource group (the default `stdlib` of
# every py_oxidized_binary using the distribution). Appended to each repository's BUILD.
STDLIB_RESOURCES_BUILD = """
# The standard library as one separately cached resource group (the default `stdlib` of
# every py_oxidized_binary using this distribution).
oxidized_resources(
    name = "stdlib_resources",
    distribution = ":distribution",
    # CPython's own test extension modules (the `test` packages are left out by
    # include_test = False).
    excludes = ["_test*", "_ctypes_test", "_xxtestfuzz", "xxlimited", "xxlimited_35"],
    # A complete standard library by default (PyOxidizer leaves its data files out):
    # lib2to3's grammars, venv's scripts and pydoc's data are part of what works.
    extension_module_filter = "all",
    include_distribution_resources = True,
    stdlib = True,
)
"""
