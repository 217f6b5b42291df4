"""Tests for the pure parts of oxidizer/private/cpython/split_libpython.py (the links are
checked by the script itself, in every CPython build: see its `verify`)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "oxidizer" / "private" / "cpython" / "split_libpython.py"
_SPEC = importlib.util.spec_from_file_location("split_libpython", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
split_libpython = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(split_libpython)

CONFIG_C = """
extern PyObject* PyInit_posix(void);
extern PyObject* PyInit__ssl(void);

struct _inittab _PyImport_Inittab[] = {

    {"posix", PyInit_posix},
    {"_ssl", PyInit__ssl},

    /* This module lives in marshal.c */
    {"marshal", PyMarshal_Init},

    /* These entries are here for sys.builtin_module_names */
    {"builtins", NULL},
    {"sys", NULL},

    /* Sentinel */
    {0, 0}
};
"""


def test_inittab_entries() -> None:
    assert split_libpython.inittab_entries(CONFIG_C) == [
        ("posix", "PyInit_posix"),
        ("_ssl", "PyInit__ssl"),
        ("marshal", "PyMarshal_Init"),
        ("builtins", None),
        ("sys", None),
    ]


def test_inittab_entries_without_table() -> None:
    with pytest.raises(split_libpython.SplitError, match="no _PyImport_Inittab"):
        split_libpython.inittab_entries("int x;")


def test_setup_modules() -> None:
    setup = "# comment\n*static*\nDESTLIB=x\nposix posixmodule.c # trailing\n\n_sre _sre/sre.c\n"
    assert split_libpython.setup_modules(setup) == {"posix", "_sre"}


def test_group_modules_merges_shared_members() -> None:
    traces = {
        "_ssl": {"/b/Modules/_ssl.o", "(libssl.a)s.o", "(libcrypto.a)c.o"},
        "_hashlib": {"/b/Modules/_hashopenssl.o", "(libcrypto.a)c.o"},
        "zlib": {"/b/Modules/zlibmodule.o", "(libz.a)a.o"},
        "binascii": {"/b/Modules/binascii.o", "(libz.a)a.o"},
        "_json": {"/b/Modules/_json.o"},
    }
    groups = split_libpython.group_modules(traces)
    assert groups == [["_hashlib", "_ssl"], ["_json"], ["binascii", "zlib"]]
    assert [split_libpython.member_name(g) for g in groups] == ["ext__hashlib.o", "ext__json.o", "ext_binascii.o"]
