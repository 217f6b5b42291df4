"""BUILD file text every distribution repository shares (local installation, source build)."""

# The standard library as one separately cached resource group (the default `stdlib` of
# every py_oxidized_binary using the distribution). Appended to each repository's BUILD, whose
# loads include `load(":stdlib.bzl", "stdlib_resources")`.
STDLIB_RESOURCES_BUILD = """
# The standard library as one separately cached resource group (the default `stdlib` of
# every py_oxidized_binary using this distribution). stdlib.bzl holds its attributes, for
# groups built like it.
stdlib_resources(name = "stdlib_resources")
"""

# The repository's stdlib.bzl: the default standard-library group's attributes, one
# definition for `:stdlib_resources` and for users' groups built like it. (Its docstring
# uses single quotes: this text is itself a triple-quoted string.)
_STDLIB_BZL = """'''This distribution's default standard-library group (`:stdlib_resources`), as a macro.

A group built like it with other settings, e.g. compressed bytecode:

    load("@oxidizer_python//:stdlib.bzl", "stdlib_resources")
    stdlib_resources(name = "stdlib_small", compress_bytecode = True)
'''

load("@rules_oxidizer//oxidizer:defs.bzl", "oxidized_resources")

def stdlib_resources(name, **kwargs):
    '''An `oxidized_resources` standard-library group with this distribution's defaults.

    Args:
      name: the target name.
      **kwargs: other `oxidized_resources` attributes; they override the defaults.
    '''
    attrs = dict(
        distribution = Label("//:distribution"),
        stdlib = True,
        # CPython's own test extension modules (the `test` packages are left out by
        # include_test = False); `ensurepip` (3.3 MB of pip and setuptools wheels, which
        # install pip into an interpreter on disk: an oxidized binary is not one); and the
        # packages that cannot be imported because this distribution lacks their extension
        # module (tkinter, turtle, idlelib without `_tkinter`).
        excludes = {excludes},
        # A complete standard library by default (PyOxidizer leaves its data files out):
        # lib2to3's grammars, venv's scripts and pydoc's data are part of what works.
        extension_module_filter = "all",
        include_distribution_resources = True,
    )
    attrs.update(kwargs)
    oxidized_resources(name = name, **attrs)
"""

_ALWAYS_EXCLUDED = ["_test*", "_ctypes_test", "_xxtestfuzz", "xxlimited", "xxlimited_35", "ensurepip"]

# Standard-library packages that need an extension module, by that module: left out of the
# stdlib group when the distribution does not have it (they would only fail to import).
PACKAGES_NEEDING = {
    "_tkinter": ["tkinter", "turtle", "turtledemo", "idlelib"],
}

def unusable_stdlib_packages(missing_modules):
    """The stdlib packages that cannot work without the extension modules in `missing_modules`.

    Args:
      missing_modules: names of the extension modules the distribution lacks.

    Returns:
      A list of package names, in the order of the sorted modules.
    """
    packages = []
    for module in sorted(missing_modules):
        packages += PACKAGES_NEEDING.get(module, [])
    return packages

def stdlib_bzl(missing_modules):
    """Text of a distribution repository's `stdlib.bzl`, given the extension modules it lacks."""
    return _STDLIB_BZL.format(excludes = repr(_ALWAYS_EXCLUDED + unusable_stdlib_packages(missing_modules)))
