"""Providers of rules_oxidizer (re-exported by //oxidizer:providers.bzl)."""

PythonDistributionInfo = provider(
    doc = "A CPython installation that py_oxidized_binary can embed.",
    # `licenses` is a provider field here, not the legacy rule attribute the check is about.
    # buildifier: disable=attr-licenses
    fields = {
        "interpreter": ":type: File\n\nThe distribution's interpreter; compiles bytecode so the magic number matches.",
        "interpreter_files": ":type: depset[File]\n\nFiles the interpreter reads when it runs (a source build's standard library tree); inputs of every action that runs `interpreter`.",
        "runtime": ":type: CcInfo\n\nThe oxidizer runtime compiled against this distribution's headers, with the static libpython and its link flags.",
        "stdlib": ":type: depset[File]\n\nStandard library files (sources and data), without lib-dynload.",
        "stdlib_import_root": ":type: string\n\nRunfiles-relative directory of `stdlib` (the directory on `sys.path`).",
        "lib_dynload": ":type: depset[File]\n\nExtension modules of `lib-dynload`.",
        "lib_dynload_import_root": ":type: string\n\nRunfiles-relative directory of `lib_dynload`.",
        "version": ":type: string\n\nFull version, e.g. `3.11.2`.",
        "magic_number_hex": ":type: string\n\n`importlib.util.MAGIC_NUMBER` as hex, e.g. `a70d0d0a`.",
        "cache_tag": ":type: string\n\n`sys.implementation.cache_tag`, e.g. `cpython-311`.",
        "builtin_modules": ":type: list[string]\n\n`sys.builtin_module_names`.",
        "frozen_modules": ":type: list[string]\n\nModules frozen into libpython (served by FrozenImporter).",
        "builtin_module_licenses": ":type: dict[string, list[string]]\n\nBuilt-in module -> SPDX licences of the third-party libraries linked in for it (what `extension_module_filter` judges built-ins by).",
        "startup_builtins": ":type: list[string]\n\nBuilt-in modules needed to start the interpreter (kept by `extension_module_filter = \"minimal\"`); empty: no built-in is ever left out.",
        "extension_suffixes": ":type: list[string]\n\n`importlib.machinery.EXTENSION_SUFFIXES`.",
        "licenses": ":type: File | None\n\nThe distribution's licences file (docs/licenses.md): every component it links in or " +
                    "ships, with its SPDX licence. Every py_oxidized_binary records it (`oxidizer licenses BINARY`). " +
                    "None when the distribution declares none.",
        "inittab": ":type: File | None\n\nThe inittab of a libpython archive whose extension modules link separately " +
                   "(JSON: `{\"entries\": [{\"name\", \"init\", \"member\"}]}`, in CPython's order; docs/architecture.md). " +
                   "A binary generates its `_PyImport_Inittab` from it and links only the members of the modules it keeps. " +
                   "None when libpython carries its own inittab.",
    },
)

OxidizedResourcesInfo = provider(
    doc = "Python resources classified, compiled and packed for embedding in a py_oxidized_binary.",
    fields = {
        "packed": ":type: File\n\nThe packed resources data (`pyembed\\x03`).",
        "manifest": ":type: File\n\nThe `rules_oxidizer.ResourceManifest` protobuf describing every resource and its location.",
        "installable": ":type: depset[File]\n\nInput files that filesystem-relative resources are copied from.",
        "magic_number_hex": ":type: string\n\nMagic number of the bytecode in `packed`.",
        "optimize_levels": ":type: list[int]\n\nBytecode optimization levels present for in-memory modules.",
        "excluded_builtins": ":type: list[string]\n\nBuilt-in modules of the distribution the group's `extension_module_filter` leaves out (a standard-library group of a distribution that builds its extension modules in); the binary removes them from the inittab.",
        "bytecode": ":type: File\n\nThe group's compiled bytecode bundle (a binary that moves the group's resources repacks from it).",
        "inputs": ":type: depset[File]\n\nEvery input file of the group (what its manifest's `source_path`s name).",
    },
)
