"""Tests for oxidizer_tools.extension_filter: DT_NEEDED reading and the four filters."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from oxidizer_tools import extension_filter as ef

LIB_DYNLOAD = Path("/usr/lib/python3.11/lib-dynload")
SUFFIX = ".cpython-311-x86_64-linux-gnu.so"


def build_shared(tmp_path: Path, name: str, *link: str) -> Path:
    """Compiles a tiny shared library linked against `link` (-l flags or paths)."""
    if shutil.which("gcc") is None:
        pytest.fail("gcc is needed (build-essential)")
    src = tmp_path / f"{name}.c"
    src.write_text("double f(double x) { return x; }\n")
    out = tmp_path / f"{name}.so"
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-Wl,--no-as-needed", "-o", str(out), str(src), f"-L{tmp_path}", *link],
        check=True,
    )
    return out


@pytest.mark.parametrize(
    ("soname", "stem"),
    [
        ("libc.so.6", "libc"),
        ("libm.so.6", "libm"),
        ("libdb-5.3.so", "libdb"),
        ("libgdbm_compat.so.4", "libgdbm_compat"),
        ("libreadline.so.8", "libreadline"),
        ("libcrypt.so.1", "libcrypt"),
        ("libcrypto.so.3", "libcrypto"),
        ("libpython3.11.so.1.0", "libpython"),
    ],
)
def test_soname_stem(soname: str, stem: str) -> None:
    assert ef.soname_stem(soname) == stem


def test_system_libraries() -> None:
    for soname in ["libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "libutil.so.1", "librt.so.1", "ld-linux-x86-64.so.2"]:
        assert ef.is_system_library(soname), soname
    for soname in ["libssl.so.3", "libz.so.1", "libcrypt.so.1", "libffi.so.8"]:
        assert not ef.is_system_library(soname), soname


def test_needed_libraries_of_built_objects(tmp_path: Path) -> None:
    plain = build_shared(tmp_path, "plain", "-lm")
    assert "libm.so.6" in ef.needed_libraries(plain)
    dep = build_shared(tmp_path, "libdep")
    ext = build_shared(tmp_path, "ext", "-ldep", "-lm")
    needed = ef.needed_libraries(ext)
    assert "libdep.so" in needed and "libm.so.6" in needed
    assert ef.rejection("ext", "no-libraries", needed) == "links libdep.so"
    assert ef.rejection("plain", "no-libraries", ef.needed_libraries(plain)) is None
    assert dep.exists()


def test_needed_libraries_not_elf(tmp_path: Path) -> None:
    bogus = tmp_path / "x.so"
    bogus.write_bytes(b"not an ELF file")
    with pytest.raises(ef.ExtensionFilterError, match=f"cannot read the dynamic section of {bogus}"):
        ef.needed_libraries(bogus)


def test_all_keeps_everything() -> None:
    assert ef.rejection("readline", "all", None) is None


def test_minimal_keeps_startup_modules_only() -> None:
    assert ef.rejection("_io", "minimal", None) is None
    assert ef.rejection("_ssl", "minimal", None) == "not needed to start the interpreter"
    assert ef.rejection("_decimal", "minimal", None) is not None


def test_no_copyleft_table() -> None:
    assert ef.rejection("readline", "no-copyleft", ["libreadline.so.8", "libc.so.6"]) == (
        "links libreadline.so.8 (GPL-3.0-or-later (GNU Readline))"
    )
    assert ef.rejection("_dbm", "no-gpl", ["libdb-5.3.so", "libc.so.6"]) is not None
    assert ef.rejection("_crypt", "no-copyleft", ["libcrypt.so.1"]) is not None
    assert ef.rejection("_hashlib", "no-copyleft", ["libcrypto.so.3", "libc.so.6"]) is None
    # Linking libraries is fine for no-copyleft when none is copyleft.
    assert ef.rejection("_ssl", "no-copyleft", ["libssl.so.3", "libcrypto.so.3"]) is None


def test_unknown_filter() -> None:
    with pytest.raises(ValueError, match="unknown extension_module_filter 'some'"):
        ef.rejection("x", "some", [])


@pytest.mark.skipif(not LIB_DYNLOAD.is_dir(), reason="Debian's python3.11 lib-dynload is not installed")
def test_debian_lib_dynload() -> None:
    def needed(name: str) -> tuple[str, ...]:
        return ef.needed_libraries(LIB_DYNLOAD / f"{name}{SUFFIX}")

    assert ef.rejection("readline", "no-copyleft", needed("readline")) is not None
    assert ef.rejection("_ssl", "no-libraries", needed("_ssl")) is not None
    assert ef.rejection("_json", "no-libraries", needed("_json")) is None
    assert ef.rejection("_decimal", "no-libraries", needed("_decimal")) is None
    assert ef.rejection("_json", "no-copyleft", needed("_json")) is None
