"""oxidized_importer built as a regular extension module, exercised under plain python3.

The same C finder that serves imports inside binaries, loaded into /usr/bin/python3.11
and fed packed resources written by our packer: its API is testable without building a
binary for each case.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from oxidizer_it import WORKSPACE, run_with_importer



def _run(extension_dir: Path, body: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return run_with_importer(extension_dir, body, *flags, support=False)


def test_import_module_and_package_from_bytes(extension_dir: Path) -> None:
    proc = _run(extension_dir, """
        data = write_packed_resources([
            Resource(name="plainmod", is_module=True, in_memory_bytecode=code("X = 41 + 1", "plainmod.py")),
            Resource(name="pkg", is_module=True, is_package=True, in_memory_source=b"NAME = 'pkg'\\n",
                     in_memory_package_resources={"data.txt": b"payload"}),
            Resource(name="pkg.sub", is_module=True, in_memory_bytecode=code("from . import NAME as P", "pkg/sub.py")),
        ])
        finder = oxidized_importer.OxidizedFinder(data)
        sys.meta_path.insert(0, finder)
        import plainmod, pkg.sub
        print(plainmod.X, pkg.sub.P, pkg.__spec__.loader is finder, hasattr(plainmod, "__file__"))
        print(finder.is_package("pkg"), finder.is_package("plainmod"))
        print(finder.get_source("pkg"))
        print(finder.get_resource_reader("pkg").open_resource("data.txt").read())
        print(finder.find_spec("missing", None))
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "42 pkg True False",
        "True False",
        "NAME = 'pkg'",
        "",
        "b'payload'",
        "None",
    ]


def test_corrupt_bytes_raise_instead_of_crashing(extension_dir: Path) -> None:
    proc = _run(extension_dir, """
        good = write_packed_resources([Resource(name="m", is_module=True, in_memory_source=b"x = 1")])
        failures = 0
        for cut in range(len(good)):
            try:
                oxidized_importer.OxidizedFinder(good[:cut])
            except Exception:
                failures += 1
        print(failures == len(good))
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "True"


def test_finder_alone_on_meta_path_imports_builtin_and_frozen_modules(extension_dir: Path) -> None:
    proc = _run(extension_dir, f"""
        sys.path.insert(0, {str(WORKSPACE / "runtime" / "python")!r})  # index_interpreter_*'s packing
        import _frozen_importlib as bootstrap
        finder = oxidized_importer.OxidizedFinder(write_packed_resources([
            Resource(name="mine", is_module=True, in_memory_source=b"V = 1"),
        ]))
        print(finder.find_spec("_io", None))  # not indexed yet: not answered
        finder.index_interpreter_builtins()
        spec = finder.find_spec("_io", None)
        print(spec.loader is bootstrap.BuiltinImporter, spec.origin)
        sys.meta_path[:] = [finder]
        for name in ("_blake2", "__hello__", "mine"):
            sys.modules.pop(name, None)
        import _blake2, __hello__, mine
        print(_blake2.__spec__.loader is bootstrap.BuiltinImporter, __hello__.__spec__.loader is bootstrap.FrozenImporter,
              mine.__loader__ is finder)
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["None", "True built-in", "True True True"]


def test_dunder_init_module_and_unknown_names(extension_dir: Path) -> None:
    proc = _run(extension_dir, """
        finder = oxidized_importer.OxidizedFinder(write_packed_resources([
            Resource(name="pkg", is_module=True, is_package=True,
                     in_memory_source=b"X = 1\\nRUNS = globals().get('RUNS', 0) + 1\\n"),
            Resource(name="pkg.sub", is_module=True, in_memory_source=b"from .__init__ import X as Y\\n"),
            Resource(name="ns", is_module=True, is_package=True, is_namespace_package=True),
        ]))
        sys.meta_path.insert(0, finder)
        import pkg.sub
        init = sys.modules["pkg.__init__"]
        print(pkg.sub.Y, init is not pkg, init.__name__, hasattr(init, "__path__"), pkg.RUNS, init.RUNS)
        print(finder.is_package("pkg.__init__"), finder.get_code("pkg.__init__").co_name,
              finder.find_spec("ns.__init__", None))
        print(finder.get_code("unknown"), finder.get_source("unknown"), finder.get_code("pkg.nope"))
        try:
            finder.is_package("unknown")
        except ImportError:
            print("is_package raises")
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "1 True pkg.__init__ False 1 1",
        "False <module> None",
        "None None None",
        "is_package raises",
    ]


_LEVELS = """
    finder = oxidized_importer.OxidizedFinder(write_packed_resources([
        Resource(name="onlyzero", is_module=True, in_memory_bytecode=code("assert False, 'level 0 code ran'", "onlyzero.py")),
        Resource(name="withsource", is_module=True, in_memory_bytecode=code('"doc"\\nassert False', "withsource.py"),
                 in_memory_source=b'"doc"\\nD = __doc__\\nassert False, "level 0 code ran"\\n'),
        Resource(name="leveltwo", is_module=True, in_memory_bytecode_opt2=code("V = 2", "leveltwo.py")),
    ]))
    sys.meta_path.insert(0, finder)
    for name in ("onlyzero", "withsource", "leveltwo"):
        try:
            module = __import__(name)
            print(name, "imported", getattr(module, "D", getattr(module, "V", None)))
        except (ImportError, AssertionError) as e:
            print(name, type(e).__name__, e)
"""


def test_bytecode_of_another_optimization_level_never_runs(extension_dir: Path) -> None:
    proc = _run(extension_dir, _LEVELS, "-OO")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "onlyzero ImportError module 'onlyzero' has no bytecode for optimization level 2 (sys.flags.optimize is 2) "
        "and no source to compile at that level; its bytecode levels: 0 (add 2 to bytecode_optimize_levels, "
        "or keep its source)",
        "withsource imported None",  # compiled from its source at level 2: no docstring, no assert
        "leveltwo imported 2",
    ]
    proc = _run(extension_dir, _LEVELS)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:2] == ["onlyzero AssertionError level 0 code ran", "withsource AssertionError "]
    assert lines[2].startswith("leveltwo ImportError module 'leveltwo' has no bytecode for optimization level 0 ")


def test_c_parser_and_python_reader_agree(extension_dir: Path) -> None:
    """Differential: the runtime's C parser (through OxidizedFinder) and the build tools' reader
    accept and reject the same inputs (the fuzz corpus, hand-made edge cases and 20000 seeded
    mutations of them), and name the same resources when both accept."""
    corpus = WORKSPACE / "runtime" / "fuzz" / "corpus"
    proc = _run(extension_dir, f"""
        sys.path.insert(1, {str(WORKSPACE / "runtime" / "python")!r})  # indexed_resources() needs it
        import pathlib, random, struct
        from oxidizer_tools.packed_resources import PackedResourcesError, read_packed_resources

        def blob(names, index_extra=b""):
            raw = b"".join(names)
            bidx = b"\\x01\\x02\\x03\\x03" + struct.pack("<Q", len(raw)) + b"\\xff\\x00"
            ridx = b"".join(b"\\x01\\x03" + struct.pack("<H", len(n)) + index_extra + b"\\xff" for n in names) + b"\\x00"
            return b"pyembed\\x03" + struct.pack("<BIII", 1, len(bidx), len(names), len(ridx)) + bidx + ridx + raw

        seeds = [p.read_bytes() for p in sorted(pathlib.Path({str(corpus)!r}).iterdir())]
        edge = {{
            "header only": (b"pyembed\\x03" + bytes(13), True),
            "header and a byte": (b"pyembed\\x03" + bytes(13) + b"\\x00", False),
            "non-UTF-8 name": (blob([b"caf\\xe9"]), False),
            "surrogate name": (blob([b"\\xed\\xa0\\x80"]), False),
            "UTF-8 name": (blob(["caf\\u00e9".encode()]), True),
            "duplicate names": (blob([b"a", b"b", b"a"]), True),
            "empty name": (blob([b""]), False),
        }}
        failures = []
        def verdict(data):
            try:
                finder = oxidized_importer.OxidizedFinder(data)
            except ValueError:
                c = None
            else:
                try:
                    c = sorted(r.name for r in finder.indexed_resources())
                except ImportError as e:  # a corrupt zstd frame is found only when read
                    if "compressed source" not in str(e) and "compressed bytecode" not in str(e):
                        raise
                    c = "accepted"
            try:
                py = sorted(r.name for r in read_packed_resources(data))
            except PackedResourcesError:
                py = None
            if c == "accepted" and py is not None:
                py = "accepted"
            return c, py

        for label, (data, accepted) in edge.items():
            c, py = verdict(data)
            if c != py or (c is not None) != accepted:
                failures.append((label, c, py))
        rng = random.Random(9)
        inputs = seeds + [data for data, _ in edge.values()]
        accepted = 0
        for i in range(20000):
            buf = bytearray(rng.choice(inputs))
            for _ in range(rng.randint(1, 3)):
                op, pos = rng.random(), rng.randrange(len(buf) + 1)
                if op < 0.5 and pos < len(buf):
                    buf[pos] = rng.randrange(256)
                elif op < 0.7:
                    buf[pos:pos] = bytes([rng.randrange(256)])
                elif op < 0.85 and pos < len(buf):
                    del buf[pos]
                else:
                    start = rng.randrange(len(buf) + 1)
                    buf[pos:pos] = buf[start:start + rng.randrange(1, 16)]
            c, py = verdict(bytes(buf))
            accepted += c is not None
            if c != py:
                failures.append((bytes(buf).hex(), c, py))
        for seed in seeds:
            c, py = verdict(seed)
            if c is None or c != py:
                failures.append(("seed", c, py))
        print(failures[:5], len(failures), accepted > 100)
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["[] 0 True"]
