"""Writes the packed-resources blobs and files of the runtime behaviour test
(runtime/tests/runtime_test.bzl, run by Bazel actions under the distribution's own
interpreter, so the marshalled bytecode matches the runtime's libpython).

Writes them with the packed format's one writer, _oxidized_importer.packed_format.write_packed()
(the one the build tools and the runtime use), imported from SUPPORT_DIR, the directory
holding the _oxidized_importer package; resources are dicts of its field attributes.
Standard library only.

    make_test_blob.py stdlib SUPPORT_DIR OUT STDLIB_DIR [LIB_DYNLOAD_DIR]
        the whole standard library in STDLIB_DIR, plus the extension modules of
        LIB_DYNLOAD_DIR as relative paths "lib-dynload/..."
    make_test_blob.py app BLOB CORRUPT CORRUPT_PAYLOAD FILES SUPPORT_DIR STEM=SO...
        the test application modules (see APP_MODULES) and the _oxidized_importer package in
        SUPPORT_DIR into BLOB; BLOB with a resource index length that overruns (CORRUPT) and
        with a flipped byte in the extraction payload (CORRUPT_PAYLOAD); FILES, the directory
        of files the binaries find next to them (<binary dir>/runtime_test_files): the test
        extension modules (each STEM=SO is runtime/testdata/test_ext.c built for module path
        STEM, e.g. runtime_test_extpkg/__init__) and the filesystem-relative resources.
"""

import hashlib
import importlib.machinery
import marshal
import os
import py_compile
import shutil
import struct
import sys


def pack(support_dir, resources):
    """The blob of `resources` (name -> dict of field attributes), written by the packed
    format's one writer, imported from `support_dir`."""
    sys.path.insert(0, support_dir)
    from _oxidized_importer.packed_format import write_packed

    return write_packed(dict(fields, name=name) for name, fields in resources.items())


def module_resource(name, source, filename, is_package=False, with_source=True,
                    with_bytecode=True):
    res = {"is_module": True}
    if is_package:
        res["is_package"] = True
    if with_source:
        res["in_memory_source"] = source
    if with_bytecode:
        for attr, level in (("in_memory_bytecode", 0), ("in_memory_bytecode_opt1", 1),
                            ("in_memory_bytecode_opt2", 2)):
            code = compile(source, filename, "exec", dont_inherit=True, optimize=level)
            res[attr] = marshal.dumps(code)
    return res


APP_MODULES = {
    "hello": "print('hello world')\n",
    # Runs the snippet in argv[1] (tests use it to probe the runtime).
    "runtime_test_main": (
        "import sys\n"
        "exec(compile(sys.argv[1], '<test>', 'exec'))\n"
    ),
    "runtime_test_modmain": (
        "import sys\n"
        "print('modmain', __name__, __spec__.name, sys.argv[1:])\n"
    ),
    "runtime_test_raises": (
        "def boom():\n"
        "    raise ValueError('boom from runtime_test_raises')\n"
    ),
    "runtime_test_doc": (
        "'''module docstring'''\n"
        "def f():\n"
        "    assert False, 'assert kept'\n"
    ),
}
APP_PACKAGES = {
    "runtime_test_pkg": "VALUE = 'pkg'\n",
    "runtime_test_pkg.sub": "from . import helper\nVALUE = helper.X + 1\n",
}
APP_SUBMODULES = {
    "runtime_test_pkg.mod": "from runtime_test_pkg import VALUE as P\nVALUE = P + '.mod'\n",
    "runtime_test_pkg.sub.helper": "X = 41\n",
    "runtime_test_ns.inner": "VALUE = 'ns.inner'\n",
    "runtime_test_ns.deep.leaf": "VALUE = 'ns.deep.leaf'\n",
}
SOURCE_ONLY = {
    "runtime_test_srconly": "# -*- coding: latin-1 -*-\nVALUE = 'caf\xe9'\nLINES = 2\r\n",
}


def app_resources(support_dir):
    resources = {}
    for name, src in APP_MODULES.items():
        resources[name] = module_resource(name, src.encode(), name)
    for name, src in APP_PACKAGES.items():
        resources[name] = module_resource(name, src.encode(), name, is_package=True)
    for name, src in APP_SUBMODULES.items():
        resources[name] = module_resource(name, src.encode(), name)
    for name, src in SOURCE_ONLY.items():
        resources[name] = module_resource(name, src.encode("latin-1"), name,
                                          with_bytecode=False)
    resources["runtime_test_pkg"]["in_memory_package_resources"] = {
        "data.txt": b"hello from data.txt\n",
        "sub/nested.bin": bytes(range(8)),
    }
    resources["runtime_test_pkg"]["relative_path_package_resources"] = {
        "ondisk.txt": "runtime_test_files/ondisk.txt",
    }
    resources["runtime_test_ns"] = {"is_module": True, "is_package": True,
                                    "is_namespace_package": True}
    resources["runtime_test_ns.deep"] = {"is_module": True, "is_package": True,
                                         "is_namespace_package": True}
    # Filesystem-relative module source (gets a real __file__).
    resources["runtime_test_relsrc"] = {"is_module": True,
                                        "relative_path_module_source": "runtime_test_files/relsrc.py"}
    # Filesystem-relative bytecode (a .pyc with header, SourcelessFileLoader).
    resources["runtime_test_relpyc"] = {"is_module": True,
                                        "relative_path_module_bytecode": "runtime_test_files/relpyc.pyc"}
    # A subpackage whose data sits in a nested directory, next to the parent's.
    resources["runtime_test_pkg.sub"]["in_memory_package_resources"] = {
        "deeper/leaf.txt": b"leaf\n",
    }
    resources.update(support_resources(support_dir))
    return resources


# The interpreter's own suffix (".cpython-311-x86_64-linux-gnu.so" for Debian's 3.11).
EXT_SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def extension_resources(ext_dir):
    """Compiled modules next to Python code (runtime/testdata/test_ext.c, built by
    into EXT = <binary dir>/runtime_test_files):

    runtime_test_both(mem): Python source and bytecode *and* an extension module of the
      same name (a mypyc/Cython wheel), the extension on disk / in memory;
    runtime_test_extpkg(mem): a compiled package (pkg/__init__<suffix>) on disk / in
      memory, each with an in-memory submodule `sub`.
    """
    def read(rel):
        with open(os.path.join(ext_dir, rel), "rb") as f:
            return f.read()

    py = "VALUE = 'py'\n".encode()
    resources = {
        "runtime_test_both": module_resource("runtime_test_both", py, "runtime_test_both.py"),
        "runtime_test_bothmem": module_resource("runtime_test_bothmem", py, "runtime_test_bothmem.py"),
        "runtime_test_extpkg": {"is_module": True, "is_package": True, "is_extension_module": True},
        "runtime_test_extpkgmem": {"is_module": True, "is_package": True, "is_extension_module": True},
    }
    resources["runtime_test_both"].update({
        "is_extension_module": True,
        "relative_path_extension_module_shared_library": f"runtime_test_files/runtime_test_both{EXT_SUFFIX}"})
    resources["runtime_test_bothmem"].update({
        "is_extension_module": True,
        "in_memory_extension_module_shared_library": read(f"runtime_test_bothmem{EXT_SUFFIX}")})
    resources["runtime_test_extpkg"]["relative_path_extension_module_shared_library"] = (
        f"runtime_test_files/runtime_test_extpkg/__init__{EXT_SUFFIX}")
    resources["runtime_test_extpkgmem"]["in_memory_extension_module_shared_library"] = read(
        f"runtime_test_extpkgmem/__init__{EXT_SUFFIX}")
    for pkg in ("runtime_test_extpkg", "runtime_test_extpkgmem"):
        name = pkg + ".sub"
        resources[name] = module_resource(name, f"VALUE = {name!r}\n".encode(), name)
    return resources


def extraction_payload(files):
    """The extraction payload of (path, data) files: the layout of
    tools/oxidizer_tools/extraction.py, written here so the tests need no tools/."""
    body = bytearray(struct.pack("<I", len(files)))
    for path, data in sorted(files):
        body += struct.pack("<HBQ", len(path), 0, len(data)) + path + data
    return b"OXEX\x01" + hashlib.sha256(body).digest() + bytes(body)


def extracted_resources(ext_dir):
    """runtime_test_xpkg, filesystem-extracted: a package that reads data.txt next to its
    __file__, a submodule and an extension module (from EXT), all extracted on first use;
    their bytecode stays embedded."""
    init = (b"import os\n"
            b"with open(os.path.join(os.path.dirname(__file__), 'data.txt')) as f:\n"
            b"    DATA = f.read().strip()\n")
    mod = b"VALUE = 'xmod'\n"
    ext_name = f"runtime_test_xpkg/ext{EXT_SUFFIX}"
    with open(os.path.join(ext_dir, ext_name), "rb") as f:
        ext = f.read()
    files = [(b"runtime_test_xpkg/__init__.py", init), (b"runtime_test_xpkg/mod.py", mod),
             (b"runtime_test_xpkg/data.txt", b"extracted data\n"), (ext_name.encode(), ext)]
    pkg = module_resource("runtime_test_xpkg", init, "runtime_test_xpkg/__init__.py",
                          is_package=True, with_source=False)
    pkg.update({"is_filesystem_extracted": True, "relative_path_module_source": "runtime_test_xpkg/__init__.py",
                "relative_path_package_resources": {"data.txt": "runtime_test_xpkg/data.txt"}})
    sub = module_resource("runtime_test_xpkg.mod", mod, "runtime_test_xpkg/mod.py",
                          with_source=False)
    sub.update({"is_filesystem_extracted": True, "relative_path_module_source": "runtime_test_xpkg/mod.py"})
    return {
        "runtime_test_xpkg": pkg,
        "runtime_test_xpkg.mod": sub,
        "runtime_test_xpkg.ext": {"is_module": True, "is_extension_module": True, "is_filesystem_extracted": True,
                                  "relative_path_extension_module_shared_library": ext_name},
        ".rules_oxidizer.extraction": {"extraction_payload": extraction_payload(files)},
    }


# The Python half of oxidized_importer (runtime/python), embedded in every real binary
# as its own group.
def support_resources(support_dir):
    resources = {}
    root = os.path.join(support_dir, "_oxidized_importer")
    for fn in sorted(os.listdir(root)):
        if not fn.endswith(".py"):
            continue
        with open(os.path.join(root, fn), "rb") as f:
            source = f.read()
        is_package = fn == "__init__.py"
        name = "_oxidized_importer" + ("" if is_package else "." + fn[:-3])
        resources[name] = module_resource(name, source, f"_oxidized_importer/{fn}",
                                          is_package=is_package)
    if "_oxidized_importer" not in resources:
        sys.exit(f"make_test_blob.py: no _oxidized_importer package in {support_dir}")
    return resources


SKIP_DIRS = {"test", "idlelib", "tkinter", "turtledemo", "site-packages",
             "dist-packages", "__pycache__", "lib-dynload"}


def stdlib_resources(stdlib, lib_dynload):
    resources = {}
    for root, dirs, files in os.walk(stdlib):
        rel = os.path.relpath(root, stdlib)
        parts = [] if rel == "." else rel.split(os.sep)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS
                         and not d.startswith("config-")
                         and not (parts == ["lib2to3"] and d == "tests")
                         and "-" not in d)
        if parts and not os.path.exists(os.path.join(root, "__init__.py")):
            # Not a package (e.g. a data directory): skip it and its children.
            dirs[:] = []
            continue
        for fn in sorted(files):
            if not fn.endswith(".py"):
                continue
            stem = fn[:-3]
            is_package = stem == "__init__"
            name = ".".join(parts if is_package else parts + [stem])
            # (Debian's _sysconfigdata__x86_64-linux-gnu has a "-".)
            if not name.isascii() or any(not p.replace("-", "_").isidentifier()
                                         for p in name.split(".")):
                continue
            path = os.path.join(root, fn)
            with open(path, "rb") as f:
                source = f.read()
            relname = os.path.relpath(path, stdlib)
            try:
                resources[name] = module_resource(name, source, relname,
                                                  is_package=is_package)
            except SyntaxError:
                continue
        # Package data files (e.g. email/architecture.rst) as in-memory resources.
        if parts:
            pkg = ".".join(parts)
            data = {}
            for fn in sorted(files):
                if not fn.endswith((".py", ".pyc")):
                    with open(os.path.join(root, fn), "rb") as f:
                        data[fn] = f.read()
            if data and pkg in resources:
                resources[pkg]["in_memory_package_resources"] = data
    for fn in sorted(os.listdir(lib_dynload)) if lib_dynload else ():
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            if fn.endswith(suffix):
                name = fn[: -len(suffix)]
                resources[name] = {"is_extension_module": True,
                                   "relative_path_extension_module_shared_library": f"lib-dynload/{fn}"}
                break
    return resources


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def corrupt(blob):
    """`blob` with a resources index length that claims more than the file holds."""
    data = bytearray(blob)
    struct.pack_into("<I", data, 8 + 9, len(data))
    return bytes(data)


def corrupt_payload(blob):
    """`blob` with a flipped byte inside the extracted data.txt: the payload no longer
    matches its SHA-256 (the packed structure stays valid)."""
    data = bytearray(blob)
    data[data.index(b"extracted data\n")] ^= 0x20
    return bytes(data)


def write_files(files, extensions):
    """The directory next to the test binaries: the test extension modules (STEM -> built
    .so) under their module paths, and the filesystem-relative resources of the app."""
    os.makedirs(files, exist_ok=True)
    for stem, so in sorted(extensions.items()):
        target = os.path.join(files, stem + EXT_SUFFIX)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(so, target)
    with open(os.path.join(files, "ondisk.txt"), "w") as f:
        f.write("hello ondisk\n")
    with open(os.path.join(files, "relsrc.py"), "w") as f:
        f.write("import os\nVALUE = os.path.basename(__file__)\n")
    source = os.path.join(files, "relpyc.py")
    with open(source, "w") as f:
        f.write('VALUE = "relpyc"\n')
    py_compile.compile(source, os.path.join(files, "relpyc.pyc"), dfile="relpyc.py", doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    os.remove(source)


def main(argv):
    mode = argv[1] if len(argv) > 1 else ""
    if mode == "stdlib" and len(argv) in (5, 6):
        support_dir, out, stdlib = argv[2:5]
        write(out, pack(support_dir, stdlib_resources(stdlib, argv[5] if len(argv) == 6 else "")))
    elif mode == "app" and len(argv) >= 7:
        blob, corrupt_out, corrupt_payload_out, files, support_dir = argv[2:7]
        extensions = dict(arg.split("=", 1) for arg in argv[7:])
        write_files(files, extensions)
        resources = app_resources(support_dir)
        resources.update(extension_resources(files))
        resources.update(extracted_resources(files))
        data = pack(support_dir, resources)
        write(blob, data)
        write(corrupt_out, corrupt(data))
        write(corrupt_payload_out, corrupt_payload(data))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
