"""Runs the popular-projects binary copied alone into an empty directory with a bare environment."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

EXPECTED = [
    "certifi: CA bundle is a file",
    "tzdata: Europe/Paris",
    "pygments: x = 1",
    "jinja2: ANN has 2 items: a, b",
    "markupsafe: &lt;b&gt; markupsafe._speedups",
    "rich: ok",
    "requests: http://127.0.0.1/x?q=1 True",
    "click+attrs: Point(x=3, y=6)",
    "black: f(a, b) compiled",
    "numpy: [[0.5, 0.0], [0.0, 0.25]] no test suites",
    "pyyaml: {'a': [1, 2]} True",
    "cryptography: secret",
    "pydantic: 42",
]


class PopularTest(unittest.TestCase):
    binary: Path

    def test_every_project_works_from_one_file(self) -> None:
        tmp = Path(tempfile.mkdtemp(prefix="popular_"))
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        alone = tmp / "alone"
        alone.mkdir()
        copy = alone / "popular"
        shutil.copyfile(self.binary, copy)
        copy.chmod(0o755)
        env = {"HOME": str(tmp / "home"), "LANG": "C.UTF-8"}
        proc = subprocess.run([str(copy)], cwd=alone, env=env, text=True, capture_output=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.splitlines(), EXPECTED)
        self.assertEqual([p.name for p in alone.iterdir()], ["popular"])


if __name__ == "__main__":
    PopularTest.binary = Path(sys.argv[1]).resolve()
    unittest.main(argv=sys.argv[:1])
