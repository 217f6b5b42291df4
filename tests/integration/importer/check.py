"""Exercises importer behaviours inside a built binary and prints the results as JSON.

Every check runs even when an earlier one fails: a failure is recorded as
"ERROR <type>: <message>". tests/integration/test_importer.py asserts on the output of
the same program built in memory, with virtual __file__ and filesystem-relative.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

RESULTS: dict[str, Any] = {}


def check(fn: Callable[[], Any]) -> Callable[[], Any]:
    try:
        RESULTS[fn.__name__] = fn()
    except Exception as e:  # noqa: BLE001 - the error is the result
        RESULTS[fn.__name__] = f"ERROR {type(e).__name__}: {e}"
    return fn


# importlib.resources --------------------------------------------------------------------


@check
def files_top() -> Any:
    from importlib.resources import files

    return sorted(p.name for p in files("imppkg").iterdir())


@check
def files_nested() -> Any:
    from importlib.resources import files

    root = files("imppkg")
    templates = root / "templates"
    return {
        "templates": sorted(p.name for p in templates.iterdir()),
        "nested": sorted(p.name for p in (templates / "nested").iterdir()),
        "deep": root.joinpath("templates", "nested", "deep.txt").read_text(encoding="utf-8"),
        "deep_slash": (root / "templates/nested/deep.txt").read_text(encoding="utf-8"),
        "bin": list((root / "my-data" / "x.bin").read_bytes()),
        "sub": sorted(p.name for p in (root / "sub").iterdir()),
        "sub_txt": (root / "sub" / "sub.txt").read_text(encoding="utf-8"),
        "is_dir": [(root / "templates").is_dir(), (root / "data.txt").is_dir(), (root / "nope").is_dir()],
        "is_file": [(root / "templates").is_file(), (root / "data.txt").is_file(), (root / "nope").is_file()],
        "name": [(root / "templates").name, (root / "templates" / "page.html").name],
    }


@check
def files_open() -> Any:
    from importlib.resources import files

    f = files("imppkg") / "data.txt"
    with f.open("rb") as stream:
        raw = stream.read()
    with f.open("r", encoding="utf-8") as stream:
        text = stream.read()
    try:
        (files("imppkg") / "missing.txt").read_bytes()
        missing = "no error"
    except FileNotFoundError:
        missing = "FileNotFoundError"
    return {"raw": raw.decode(), "text": text, "missing": missing}


@check
def files_subpackages() -> Any:
    from importlib.resources import files

    # templates/ holds no module: no package, its files are imppkg's (PyOxidizer's manual).
    reader = sys.meta_path[0].get_resource_reader("imppkg")
    try:
        import imppkg.templates  # noqa: F401

        templates = "a package"
    except ModuleNotFoundError:
        templates = "no package"
    with reader.open_resource("templates/page.html") as stream:
        page = stream.read().decode()
    return {
        "contents": sorted(reader.contents()),
        "is_resource": [reader.is_resource("templates/page.html"), reader.is_resource("templates/nested/deep.txt")],
        "page": page,
        "templates": templates,
        "sub": (files("imppkg.sub") / "sub.txt").read_text(encoding="utf-8"),
    }


@check
def dunder_init() -> Any:
    import imppkg
    import imppkg.viainit

    init = sys.modules["imppkg.__init__"]
    return {
        "value": imppkg.viainit.VALUE,
        "distinct": init is not imppkg,
        "is_package": hasattr(init, "__path__"),
        "loader": type(init.__spec__.loader) is type(imppkg.__spec__.loader),
    }


@check
def interpreter_modules() -> Any:
    import _frozen_importlib as bootstrap

    finder = sys.meta_path[0]
    for name in ("_blake2", "__hello__"):
        sys.modules.pop(name, None)
    import __hello__
    import _blake2

    return {
        "meta_path": [getattr(f, "__name__", type(f).__name__) for f in sys.meta_path],
        "_io": finder.find_spec("_io", None).loader is bootstrap.BuiltinImporter,
        "_blake2": _blake2.__spec__.loader is bootstrap.BuiltinImporter,
        "__hello__": __hello__.__spec__.loader is bootstrap.FrozenImporter,
        "unknown": [finder.find_spec("no_such_module", None), finder.get_code("no_such_module"),
                    finder.get_source("no_such_module")],
    }


@check
def as_file() -> Any:
    import os
    from importlib.resources import as_file, files

    with as_file(files("imppkg") / "templates" / "nested" / "deep.txt") as path:
        inside = [os.path.isfile(path), open(path, encoding="utf-8").read()]
    return inside


@check
def legacy_api() -> Any:
    import importlib.resources as r
    import warnings

    warnings.simplefilter("ignore", DeprecationWarning)
    with r.open_binary("imppkg", "data.txt") as stream:
        binary = stream.read().decode()
    with r.path("imppkg", "data.txt") as path:
        via_path = path.read_text(encoding="utf-8")
    return {
        "open_binary": binary,
        "read_text": r.read_text("imppkg", "data.txt"),
        "contents": sorted(r.contents("imppkg")),
        "is_resource": [r.is_resource("imppkg", "data.txt"), r.is_resource("imppkg", "templates")],
        "path": via_path,
    }


# importlib.metadata ---------------------------------------------------------------------


@check
def metadata_plugin() -> Any:
    from importlib import metadata

    return {
        "version": metadata.version("oxplugin"),
        "summary": metadata.metadata("oxplugin")["Summary"],
        "requires": metadata.requires("oxplugin"),
        "files": sorted(str(p) for p in metadata.files("oxplugin")),
        "record_read": [p for p in metadata.files("oxplugin") if p.name == "METADATA"][0].read_text().splitlines()[1],
    }


@check
def entry_points() -> Any:
    from importlib import metadata

    eps = metadata.entry_points(group="oxidizer.test_plugins")
    return {ep.name: ep.load()() for ep in eps}


@check
def metadata_wheel() -> Any:
    from importlib import metadata

    dist = metadata.distribution("absl-py")
    app = [p for p in dist.files if str(p) == "absl/app.py"]
    return {
        "version": metadata.version("absl_py"),
        "name": metadata.metadata("absl-py")["Name"],
        "in_distributions": "absl-py" in {d.metadata["Name"] for d in metadata.distributions()},
        "type": type(dist).__name__,
        "files": len(dist.files) > 10,
        "app_source": "def run(" in app[0].read_text(),
    }


@check
def find_distributions() -> Any:
    from importlib.metadata import DistributionFinder

    found = sys.meta_path[0].find_distributions(DistributionFinder.Context(name="oxplugin"))
    return [type(d).__name__ for d in found]


# pkgutil, loader API, __file__ ----------------------------------------------------------


@check
def pkgutil_checks() -> Any:
    import pkgutil

    import imppkg

    return {
        "get_data": repr(pkgutil.get_data("imppkg", "templates/page.html")),
        "iter_modules": sorted((m.name, m.ispkg) for m in pkgutil.iter_modules(imppkg.__path__)),
        "walk": sorted(m.name for m in pkgutil.walk_packages(imppkg.__path__, "imppkg.")),
        "top": {m.name for m in pkgutil.iter_modules()} >= {"imppkg", "oxplugin"},
    }


@check
def loader_api() -> Any:
    import os

    import imppkg

    loader = imppkg.__spec__.loader
    data = loader.get_data(os.path.join(imppkg.__path__[0], "data.txt"))
    try:
        filename = loader.get_filename("imppkg")
    except ImportError as e:
        filename = f"ImportError: {e}"
    return {"get_data": data.decode(), "get_filename": filename}


@check
def module_file() -> Any:
    import imppkg.mod

    spec = imppkg.mod.__spec__
    return {
        "__file__": getattr(imppkg.mod, "__file__", None),
        "origin": spec.origin,
        "has_location": spec.has_location,
        "cached": spec.cached,
        "has_cached": hasattr(imppkg.mod, "__cached__"),
        "pkg_file": getattr(sys.modules["imppkg"], "__file__", None),
    }


@check
def source_lines() -> Any:
    import inspect
    import linecache
    import traceback

    import imppkg.mod

    try:
        imppkg.mod.fail()
    except ValueError:
        tb = traceback.format_exc()
    code = imppkg.mod.answer.__code__
    try:
        module_source = inspect.getsource(imppkg.mod).splitlines()[0]
    except (TypeError, OSError) as e:
        module_source = f"{type(e).__name__}"
    return {
        "function": inspect.getsource(imppkg.mod.answer).splitlines()[0],
        "class": inspect.getsource(imppkg.mod.Thing).splitlines()[0] if hasattr(imppkg.mod, "__file__") else "n/a",
        "module": module_source,
        "linecache": linecache.getline(code.co_filename, code.co_firstlineno, vars(imppkg.mod)).strip(),
        "traceback": 'raise ValueError("failing on purpose")' in tb,
    }


@check
def finder_api() -> Any:
    import oxidized_importer

    finder = sys.meta_path[0]
    return {
        "types": [
            oxidized_importer.OxidizedDistribution.__name__,
            oxidized_importer.OxidizedResourceReader.__name__,
            oxidized_importer.OxidizedPathEntryFinder.__name__,
        ],
        "origin": finder.origin,
        "find_module": finder.find_module("oxplugin") is finder,
        "path_hook": type(finder.path_hook(sys.executable + "/imppkg")).__name__,
        "indexed": sorted(
            (r.name, sorted(r.in_memory_package_resources or r.relative_path_package_resources or {}))
            for r in finder.indexed_resources()
            if r.name in ("imppkg", "imppkg.templates")
        ),
    }


@check
def api_fidelity() -> Any:
    """PyOxidizer's API contract (issue 9): module surface, OxidizedResource, path hooks, re-indexing."""
    import io
    import pathlib

    import oxidized_importer

    finder = sys.meta_path[0]
    star: dict[str, Any] = {}
    exec("from oxidized_importer import *", star)
    resource = oxidized_importer.OxidizedResource()
    resource.name = "_io"
    type_errors = []
    for attr, value in (("is_module", 1), ("name", b"x"), ("in_memory_bytecode", "s"), ("relative_path_module_source", 3)):
        try:
            setattr(resource, attr, value)
        except TypeError:
            type_errors.append(attr)
    try:
        del resource.name
        deleted = True
    except AttributeError:
        deleted = False
    resource.relative_path_module_source = b"lib/x.py"
    resource.in_memory_package_resources = {"a": b"1"}
    resource.in_memory_package_resources["b"] = b"2"  # a copy: no effect
    hook_causes = []
    for value in (finder.path_hook_base_str.encode(), pathlib.Path(finder.path_hook_base_str), "/etc"):
        try:
            finder.path_hook(value)
        except ImportError as e:
            hook_causes.append(type(e.__cause__).__name__)
    # index_bytes(): the later data wins over the embedded resource of the same name.
    (embedded,) = [r for r in finder.indexed_resources() if r.name == "imppkg.mod"]
    update = oxidized_importer.OxidizedResource()
    update.name = "imppkg.mod"
    update.in_memory_source = b"# replaced\n"
    holder = oxidized_importer.OxidizedFinder()
    holder.add_resource(update)
    finder.index_bytes(holder.serialize_indexed_resources())
    (merged,) = [r for r in finder.indexed_resources() if r.name == "imppkg.mod"]
    return {
        "public": sorted(n for n in dir(oxidized_importer) if not n.startswith("_")) == sorted(oxidized_importer.__all__),
        "star": sorted(n for n in star if not n.startswith("__")) == sorted(oxidized_importer.__all__),
        "decode_source": oxidized_importer.decode_source(io, b"a\r\nb"),
        "find_distributions": type(finder.find_distributions()).__name__,
        "repr": repr(resource),
        "type_errors": type_errors,
        "deleted": deleted,
        "path": type(resource.relative_path_module_source).__name__,
        "copies": sorted(resource.in_memory_package_resources),
        "path_hook_base_str": finder.path_hook_base_str == sys.executable,
        "hook_causes": hook_causes,
        "reindexed": [(merged.in_memory_source or b"").decode(), merged.is_module == embedded.is_module,
                      merged.in_memory_bytecode == embedded.in_memory_bytecode],
    }


print(json.dumps(RESULTS, indent=1, sort_keys=True))
