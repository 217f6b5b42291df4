"""pkg_resources (a real setuptools wheel) and OxidizedZipFinder inside a built binary.

Prints the results as JSON; every check runs even when an earlier one fails ("ERROR
<type>: <message>"). tests/integration/test_pkg_resources.py asserts on the output of the
same program built in memory and with pkgdemo filesystem-relative.
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS: dict[str, Any] = {}


def check(fn: Callable[[], Any]) -> Callable[[], Any]:
    try:
        RESULTS[fn.__name__] = fn()
    except Exception as e:  # noqa: BLE001 - the error is the result
        RESULTS[fn.__name__] = f"ERROR {type(e).__name__}: {e}"
    return fn


# setuptools 80 warns that pkg_resources is deprecated.
warnings.simplefilter("ignore")
import pkg_resources  # noqa: E402

import pkgdemo  # noqa: E402


@check
def loaders() -> Any:
    return {
        "pkg_resources": type(pkg_resources.__loader__).__name__,
        "pkgdemo": type(pkgdemo.__loader__).__name__,
        "provider": type(pkg_resources.get_provider("pkgdemo")).__name__,
    }


@check
def resource_string() -> Any:
    return pkg_resources.resource_string("pkgdemo", "data.txt").decode()


@check
def resource_stream() -> Any:
    with pkg_resources.resource_stream("pkgdemo", "sub/a.txt") as stream:
        return stream.read().decode()


@check
def resource_listdir() -> Any:
    return sorted(pkg_resources.resource_listdir("pkgdemo", "sub"))


@check
def resource_exists() -> Any:
    return [pkg_resources.resource_exists("pkgdemo", name) for name in ("data.txt", "sub/b.txt", "nope.txt")]


@check
def resource_isdir() -> Any:
    return [pkg_resources.resource_isdir("pkgdemo", name) for name in ("sub", "data.txt")]


@check
def get_distribution() -> Any:
    dist = pkg_resources.get_distribution("pkgdemo")
    return [dist.project_name, dist.version, [str(r) for r in dist.requires()]]


@check
def setuptools_distribution() -> Any:
    return pkg_resources.get_distribution("setuptools").version.split(".")[0]


@check
def iter_entry_points() -> Any:
    return [(ep.name, ep.load()()) for ep in pkg_resources.iter_entry_points("pkgdemo.plugins")]


@check
def require() -> Any:
    return sorted(d.project_name for d in pkg_resources.require("pkgdemo"))


@check
def sys_path_unchanged() -> Any:
    return sys.path


def _zip_bytes(module: str = "zipmod", value: str = "zipped") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(f"{module}.py", f"VALUE = {value!r}\n")
        zf.writestr("zippkg/__init__.py", "from .inner import NAME\n")
        zf.writestr("zippkg/inner.py", "NAME = 'inner'\n")
    return buffer.getvalue()


@check
def zip_from_zip_data() -> Any:
    import oxidized_importer

    finder = oxidized_importer.OxidizedZipFinder.from_zip_data(_zip_bytes())
    sys.meta_path.append(finder)
    try:
        import zipmod
        import zippkg

        return [zipmod.VALUE, zippkg.NAME, zipmod.__file__ == sys.executable + "/zipmod.py", finder.get_source("zippkg.inner")]
    finally:
        sys.meta_path.remove(finder)


@check
def zip_from_path() -> Any:
    import oxidized_importer

    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp, "mods.zip")
        archive.write_bytes(_zip_bytes("zipdisk", "ondisk"))
        finder = oxidized_importer.OxidizedZipFinder.from_path(archive)
        sys.meta_path.append(finder)
        try:
            import zipdisk

            return [zipdisk.VALUE, zipdisk.__file__ == f"{archive}/zipdisk.py", finder.is_package("zipdisk")]
        finally:
            sys.meta_path.remove(finder)


print(json.dumps(RESULTS, indent=1, sort_keys=True))
