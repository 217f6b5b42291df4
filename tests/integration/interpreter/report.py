"""Prints, as JSON, what the interpreter settings turned into."""

import _imp
import faulthandler
import json
import os
import sys
import tracemalloc

print(json.dumps({
    "frozen": getattr(sys, "frozen", None),
    "meipass": getattr(sys, "_MEIPASS", None),
    "argv": sys.argv,
    "argvb": [a.decode("latin-1") for a in getattr(sys, "argvb", [])],
    "executable": sys.executable,
    "bytes_warning": sys.flags.bytes_warning,
    "hash_randomization": sys.flags.hash_randomization,
    "isolated": sys.flags.isolated,
    "ignore_environment": sys.flags.ignore_environment,
    "stdout_encoding": sys.stdout.encoding,
    "stdout_errors": sys.stdout.errors,
    "utf8_mode": sys.flags.utf8_mode,
    "warnoptions": sys.warnoptions,
    "xoptions": sys._xoptions,
    "path": sys.path,
    "faulthandler": faulthandler.is_enabled(),
    "tracemalloc": tracemalloc.is_tracing(),
    "check_hash_based_pycs": _imp.check_hash_based_pycs,
    "terminfo_dirs": os.environ.get("TERMINFO_DIRS"),
    "meta_path": [getattr(f, "__name__", type(f).__name__) for f in sys.meta_path],
}))
