"""Unit tests of bench/run.py's pure parts and its measuring loop with stand-ins.

Run: python3 -m unittest bench/run_test.py  (no Bazel, no PyPI; asserts nothing about speed)
"""

from __future__ import annotations

import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402


def _sample(ms: float, rss: int = 1000) -> run.Sample:
    return run.Sample(wall_ns=int(ms * 1e6), status=0, maxrss_kib=rss)


class PureTest(unittest.TestCase):
    def test_summarize(self) -> None:
        s = run.summarize([_sample(1), _sample(2), _sample(6, 3000)])
        self.assertEqual((s.n, s.median_ms, s.mean_ms, s.min_ms, s.max_ms), (3, 2.0, 3.0, 1.0, 6.0))
        self.assertEqual((s.median_rss_kib, s.max_rss_kib), (1000, 3000))

    def test_quantile_and_pairs(self) -> None:
        self.assertEqual(run.quantile([4, 1, 3, 2], 0.5), 2.5)
        self.assertEqual(run.paired_ratios([_sample(2), _sample(3)], [_sample(4), _sample(3)]), [0.5, 1.0])

    def test_round_robin(self) -> None:
        cmds = [run.Command(k, k, ("x",), run.STARTUP) for k in "abc"]
        self.assertEqual([c.key for c in run.round_robin_order(cmds, 4)], ["b", "c", "a"])

    def test_parse_probe_line(self) -> None:
        self.assertEqual(run.parse_probe_line("123 0 456\n"), run.Sample(123, 0, 456))
        with self.assertRaises(ValueError):
            run.parse_probe_line("garbage")

    def test_label_and_modules(self) -> None:
        self.assertEqual(run.label_to_output(Path("/b"), "//bench:import_stdlib"), Path("/b/bench/import_stdlib"))
        mods = run.read_module_list(run.IMPORT_SCRIPT)
        self.assertEqual(mods, sorted(mods))
        self.assertIn("json", mods)
        version = run.pinned_version(run.PYINSTALLER_REQUIREMENTS, "pyinstaller")
        self.assertIsNotNone(version)
        self.assertEqual(str(version).count("."), 2)

    def test_ratios_and_markdown(self) -> None:
        samples = {"ours_hello": [_sample(7), _sample(8, 2500)], "py_IS_pass": [_sample(10), _sample(10)]}
        stats = {k: run.summarize(v) for k, v in samples.items()}
        counts = {"ours_hello": 15_000_000, "py_IS_pass": 20_000_000}
        rows = run.compute_ratios(run.comparisons(), stats, samples, {"ours_hello": 16_000_000}, counts)
        first = rows[0]
        self.assertAlmostEqual(first["ratio"], 0.75)
        self.assertTrue(first["met"])  # the target is <= 0.75
        self.assertAlmostEqual(first["instr_ratio"], 0.75)
        self.assertAlmostEqual(first["paired_median"], 0.75)
        self.assertTrue(all(r["ratio"] is None for r in rows if "pyi" in r["denominator"]))
        by_title = {r["title"]: r for r in rows}
        size = by_title["size hello (defaults)"]
        self.assertEqual((size["op"], size["ratio"], size["met"]), ("value", 16_000_000, False))
        rss = by_title["peak RSS hello: ours − `python3.11 -I -S -c pass`"]
        self.assertEqual((rss["ratio"], rss["met"]), (750, True))  # median 1750 KiB - 1000 KiB
        report = {
            "method": "m",
            "config": {"startup_rounds": 2, "import_rounds": 0, "warmup": 0},
            "machine": {"cpu": "x"},
            "commands": [],
            "ratios": rows,
            "problems": {"pyi_hello": "why"},
            "notes": [],
        }
        md = run.render_markdown(report)
        self.assertIn("| 0.750 |", md)
        self.assertIn("| 16.00 MB | – | 16.00 MB |", md)
        self.assertIn("| +0.7 MiB |", md)
        self.assertIn("size hello (defaults): 16.00 MB, target ≤ 15 MB: NOT met", md)
        self.assertIn("(instructions 0.750)", md)
        self.assertIn("**pyi_hello**: why", md)

    def test_every_target_of_issue_8_is_a_comparison(self) -> None:
        targeted = {(c.numerator, c.denominator) for c in run.comparisons() if c.target}
        self.assertEqual(
            targeted,
            {
                ("ours_hello", "py_IS_pass"),  # start-up, and peak RSS (difference)
                ("py_S_import", "ours_import"),
                ("ours_cli", "py_IS_cli"),
                ("py_cpu", "ours_cpu"),
                ("ours_hello", ""),
                ("ours_cli_trimmed", "pyi_onefile_cli"),
                # The same target with the opt-in compressed bytecode.
                ("ours_cli_trimmed_z", "pyi_onefile_cli"),
            },
        )
        self.assertEqual(sum(1 for c in run.comparisons() if c.target), 8)
        for c in run.comparisons():
            self.assertIn(c.op, ("ratio", "difference", "value"))
            self.assertEqual(c.target == "", c.check is None, c.title)
            keys = [c.numerator] + ([c.denominator] if c.op != "value" else [])
            for key in keys:  # every operand is a command some pool runs
                self.assertRegex(key, r"^(ours|py|pyi|pex|shiv|zipapp|venv|nuitka)_")

    def test_peer_table(self) -> None:
        def cmd(key: str, ms: list[float], size: int | None, contained: bool | None) -> dict:
            samples = [_sample(m) for m in ms]
            return {"key": key, "label": key, "group": run.CLI, "size_bytes": size,
                    "self_contained": contained, "build_s": 3.0 if key == "pex_cli" else None,
                    "build_cached": True, "stats": run.dataclasses.asdict(run.summarize(samples)),
                    "wall_ns": [s.wall_ns for s in samples]}
        report = {"commands": [cmd("py_IS_cli", [20, 20], None, False), cmd("ours_cli", [15, 14], 9_000_000, True),
                               cmd("pex_cli", [40, 40], 1_000, False)],
                  "instructions": {"py_IS_cli": 100, "ours_cli": 70}}
        rows = run.peer_rows(report)
        self.assertEqual(len(rows), 5)
        self.assertIn("| ours_cli: ours_cli | 14.50 ms | 0.725 | 0.725 (0.712–0.738) | 0.00 M | 0.700 |", rows[3])
        self.assertIn("| yes |", rows[3])
        self.assertIn("| 3.0 s (cached) |", rows[4])
        self.assertEqual(run.peer_rows({"commands": [], "instructions": {}}), [])

    def test_callgrind_and_bazel_parsing(self) -> None:
        self.assertEqual(run.callgrind_total("events: Ir\nsummary: 1234\n"), 1234)
        self.assertEqual(run.callgrind_total("events: Ir\ntotals: 99\n"), 99)
        with self.assertRaises(ValueError):
            run.callgrind_total("events: Ir\n")
        log = "INFO: Elapsed time: 3.1s\nINFO: 12 processes: 4 disk cache hit, 8 linux-sandbox.\n"
        self.assertEqual(run.parse_bazel_processes(log), "12 processes: 4 disk cache hit, 8 linux-sandbox")
        self.assertEqual(run.parse_bazel_processes("INFO: 1 process: 1 internal.\n"), "1 processes: 1 internal")
        self.assertEqual(run.parse_bazel_processes("nothing"), "unknown")
        self.assertEqual(run.one_line_edit("a = 1\n", "7"), "a = 1\n# bench edit 7\n")
        self.assertEqual(run.one_line_edit("a = 1", "7"), "a = 1\n# bench edit 7\n")

    def test_build_output_base(self) -> None:
        repo = Path("/ws")
        self.assertEqual(run.build_output_base(None, Path("/tmp/o"), repo), Path("/tmp/o/bazel-output-base"))
        inside = run.build_output_base(None, Path("/ws/bench/out"), repo)
        self.assertFalse(inside.is_relative_to(repo))
        self.assertIn("bench-output-base-", inside.name)
        self.assertEqual(run.build_output_base(Path("/x"), Path("/ws/o"), repo), Path("/x"))

    def test_sizes_skip_missing_paths(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            f = Path(tmp) / "bin"
            f.write_bytes(b"x" * 10)
            art = run.Artifacts(paths={"ours_hello": f, "ours_cli": Path(tmp) / "gone"})
            self.assertEqual(run.sizes_of(art), {"ours_hello": 10})

    def test_keep_list(self) -> None:
        text = run.merge_keep_list(["json\nsys\n", "argparse\njson\n\n"])
        names = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
        self.assertEqual(names, ["argparse", "json", "sys"])
        checked_in = [ln for ln in run.CLI_KEEP_LIST.read_text().splitlines() if ln and not ln.startswith("#")]
        self.assertEqual(checked_in, sorted(set(checked_in)))
        for module in ("argparse", "json", "logging", "pathlib", "dataclasses", "subprocess", "re", "datetime"):
            self.assertIn(module, checked_in)

    def test_build_commands(self) -> None:
        args = run.parse_args(["--skip-pyinstaller", "--cpu-scale", "9", "--cpu-callgrind-scale", "1"])
        art = run.Artifacts(paths={"ours_cli": Path("/x/cli_app"), "ours_cpu": Path("/x/cpu")})
        art.peers.append(run.peers.Contender("zipapp_cli", "zipapp", ("/p/c.pyz", "summary"), Path("/p/c.pyz"),
                                             False, 0.1, False))
        cmds, expected = run.build_commands(args, art)
        by_key = {c.key: c for c in cmds}
        self.assertEqual(by_key["ours_cli"].argv, ("/x/cli_app", *run.CLI_ARGS))
        self.assertEqual(by_key["zipapp_cli"].group, run.CLI)
        self.assertEqual(by_key["ours_cpu"].argv, ("/x/cpu", "9"))
        self.assertEqual(by_key["ours_cpu"].callgrind_argv, ("/x/cpu", "1"))
        self.assertEqual(by_key["py_IS_cli"].argv[1:4], ("-I", "-S", str(run.CLI_SCRIPT)))
        for group, ref in run.REFERENCE.items():
            self.assertEqual(by_key[ref].group, group)
            self.assertIsNone(expected[ref])
        self.assertEqual(expected["py_IS_pass"], "")


class PeersTest(unittest.TestCase):
    def test_cached_build(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            stamp, product = Path(tmp) / "s.json", Path(tmp) / "product"
            calls = []

            def build() -> None:
                calls.append(1)
                product.write_text("x")

            self.assertFalse(run.peers.cached_build(stamp, "k1", product, build)[1])
            self.assertTrue(run.peers.cached_build(stamp, "k1", product, build)[1])
            self.assertFalse(run.peers.cached_build(stamp, "k2", product, build)[1])  # inputs changed
            product.unlink()
            self.assertFalse(run.peers.cached_build(stamp, "k2", product, build)[1])  # product gone
            self.assertEqual(len(calls), 3)

    def test_tree_size_and_key(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp)
            (d / "a").write_bytes(b"12345")
            (d / "sub").mkdir()
            (d / "sub" / "b").write_bytes(b"123")
            (d / "link").symlink_to(d / "a")
            self.assertEqual(run.peers.tree_size(d), 8)
            self.assertEqual(run.peers.tree_size(d / "a"), 5)
        self.assertNotEqual(run.peers.build_key(["a", "b"]), run.peers.build_key(["ab"]))

    def test_failed_build_is_a_problem(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            log = Path(tmp) / "log"
            with self.assertRaises(run.peers.PeerError) as cm:
                run.peers.run_logged(["/bin/sh", "-c", "echo boom; exit 3"], log, run.clean_env())
            self.assertIn("exited 3", str(cm.exception))
            self.assertIn("boom", str(cm.exception))


class MeasureTest(unittest.TestCase):
    def test_probe_and_measure_with_stand_ins(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            probe, why = run.build_probe(Path(tmp))
            if probe is None:
                self.skipTest(why)
            runner = run.probe_runner(probe, run.clean_env(), Path(tmp), 30.0)
            cmds = [
                run.Command("t", "true", ("/bin/true",), run.STARTUP),
                run.Command("p", "python", (str(run.PYTHON), "-I", "-S", "-c", "pass"), run.STARTUP),
            ]
            got = run.measure(cmds, rounds=3, warmup=1, runner=runner)
            self.assertEqual({k: len(v) for k, v in got.items()}, {"t": 3, "p": 3})
            self.assertTrue(all(s.wall_ns > 0 and s.maxrss_kib > 0 for v in got.values() for s in v))
            with self.assertRaises(RuntimeError):
                run.measure([run.Command("f", "false", ("/bin/false",), run.STARTUP)], 1, 0, runner)

    def test_check_output(self) -> None:
        cmd = run.Command("e", "echo", ("/bin/echo", "hi"), run.STARTUP)
        self.assertEqual(run.check_output(cmd, run.clean_env(), Path("/"), "hi\n", 10), (True, "hi\n"))
        ok, why = run.check_output(cmd, run.clean_env(), Path("/"), "ho\n", 10)
        self.assertFalse(ok)
        self.assertIn("expected", why)


if __name__ == "__main__":
    unittest.main()
