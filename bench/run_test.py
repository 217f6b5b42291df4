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
        samples = {"ours_hello": [_sample(8), _sample(9)], "py_IS_pass": [_sample(10), _sample(10)]}
        stats = {k: run.summarize(v) for k, v in samples.items()}
        rows = run.compute_ratios(run.comparisons(), stats, samples, {"ours_hello": 5})
        first = rows[0]
        self.assertAlmostEqual(first["ratio"], 0.85)
        self.assertTrue(first["met"])
        self.assertTrue(all(r["ratio"] is None for r in rows if "pyi" in r["denominator"]))
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
        self.assertIn("| 0.850 |", md)
        self.assertIn("**pyi_hello**: why", md)


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
