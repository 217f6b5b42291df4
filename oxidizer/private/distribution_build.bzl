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
    # include_test = False); `ensurepip` (3.3 MB of pip and setuptools wheels, which install
    # pip into an interpreter on disk: an oxidized binary is not one); and the packages that
    # cannot be imported because this distribution lacks their extension module (tkinter,
    # turtle, idlelib without `_tkinter`).
    excludes = ["_test*", "_ctypes_test", "_xxtestfuzz", "xxlimited", "xxlimited_35", "ensurepip"] + {unusable_stdlib_packages},
    # A complete standard library by default (PyOxidizer leaves its data files out):
    # lib2to3's grammars, venv's scripts and pydoc's data are part of what works.
    extension_module_filter = "all",
    include_distribution_resources = True,
    stdlib = True,
)
"""

# Standard-library packages that need an extension module, by that module: left out of the
# stdlib group when the distribution does not have it (they would only fail to import).
PACKAGES_NEEDING = {
    "_tkinter": ["tkinter", "turtle", "turtledemo", "idlelib"],
}

def unusable_stdlib_packages(missing_modules):
    """The stdlib packages that cannot work without the extension modules in `missing_modules`."""
    packages = []
    for module in sorted(missing_modules):
        packages += PACKAGES_NEEDING.get(module, [])
    return packages
