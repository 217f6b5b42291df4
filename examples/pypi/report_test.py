"""Runs the pypi example's binaries copied alone into an empty directory with a bare environment."""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
from pathlib import Path

DOCUMENT = b"""\
title: measurements
values: [1, 2, 3, 4, 10]
code: "def f(a,b): return {'x':a+b}"
"""


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Type", "application/yaml")
        self.send_header("Content-Length", str(len(DOCUMENT)))
        self.end_headers()
        self.wfile.write(DOCUMENT)

    def log_message(self, *args: object) -> None:
        pass


class PypiExampleTest(unittest.TestCase):
    report: Path
    report_cached: Path
    black: Path

    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="pypi_example_"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.home = self.tmp / "home"
        self.home.mkdir()
        self.work = self.tmp / "alone"
        self.work.mkdir()

    def _alone(self, binary: Path) -> Path:
        copy = self.work / binary.name
        shutil.copyfile(binary, copy)
        copy.chmod(0o755)
        return copy

    def _run(self, binary: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        # A bare environment (as `env -i`), with a HOME for black's extracted files.
        env = {"HOME": str(self.home), "LANG": "C.UTF-8"}
        return subprocess.run(
            [str(binary), *args], cwd=self.work, env=env, input=stdin, text=True, capture_output=True, timeout=120
        )

    def _check_report(self, binary: Path) -> None:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.shutdown)
        report = self._alone(binary)
        url = f"http://127.0.0.1:{server.server_address[1]}/doc.yaml"
        for _ in range(2):  # the second run reuses what the first extracted
            proc = self._run(report, url)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertIn("measurements", proc.stdout)
            self.assertRegex(proc.stdout, r"mean\s+│\s+4\.000")
            self.assertIn('def f(a, b):\n    return {"x": a + b}\n', proc.stdout)
            self.assertRegex(proc.stdout, r"libyaml: True, black compiled: True, numpy \d")
        self.assertEqual(sorted(p.name for p in self.work.iterdir()), [binary.name])

    def test_report_in_memory(self) -> None:
        self._check_report(self.report)

    def test_report_with_cached_shared_objects(self) -> None:
        self._check_report(self.report_cached)
        # numpy's OpenBLAS and the wheels' extension modules were extracted, once; the
        # stdlib's are built into the binary (the default distribution builds them in).
        extracted = [p.name for p in (self.home / ".cache" / "rules_oxidizer").rglob("*.so*")]
        self.assertIn("_yaml.cpython-311-x86_64-linux-gnu.so", extracted)
        self.assertNotIn("_decimal.cpython-311-x86_64-linux-gnu.so", extracted)
        self.assertTrue(any(name.startswith("libscipy_openblas") for name in extracted), extracted)

    def test_report_with_an_empty_environment(self) -> None:
        # `env -i`: no HOME, no TMPDIR; what black needs is extracted to the private
        # per-user directory under /tmp.
        report = self._alone(self.report)
        proc = subprocess.run([str(report), "--versions"], cwd=self.work, env={}, text=True, capture_output=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertRegex(proc.stdout, r"^libyaml: True, black compiled: True, numpy \d")

    def test_black_console_script(self) -> None:
        black = self._alone(self.black)
        proc = self._run(black, "-q", "-", stdin="x = {  'a':1 }\n")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, 'x = {"a": 1}\n')
        proc = self._run(black, "--version")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue(proc.stdout.startswith("black, "), proc.stdout)
        self.assertIn("compiled: yes", proc.stdout)
        bad = self._run(black, "--no-such-option")
        self.assertEqual(bad.returncode, 2)
        # click names the program after sys.argv[0]: the binary, not `python -m black`.
        self.assertIn("Usage: black [OPTIONS]", bad.stderr)


if __name__ == "__main__":
    PypiExampleTest.report = Path(sys.argv[1]).resolve()
    PypiExampleTest.report_cached = Path(sys.argv[2]).resolve()
    PypiExampleTest.black = Path(sys.argv[3]).resolve()
    unittest.main(argv=sys.argv[:1])
