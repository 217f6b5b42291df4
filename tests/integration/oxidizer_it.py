"""Helpers for the integration tests: they drive the real Bazel on this workspace."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

WORKSPACE = Path(__file__).resolve().parents[2]
# Packages the tests write on the fly (bad-input cases); ignored by git.
GENERATED = WORKSPACE / "tests" / "integration" / "generated"


@dataclass(frozen=True)
class Bazel:
    """Runs `bazel` in the workspace and locates outputs."""

    workspace: Path

    def run(self, *args: str, check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            ["bazel", *args],
            cwd=self.workspace,
            text=True,
            capture_output=True,
            env=env,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"bazel {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-6000:]}")
        return proc

    def build(self, *targets: str, extra: Sequence[str] = ()) -> None:
        self.run("build", *extra, *targets)

    def bin(self, label: str) -> Path:
        package, _, name = label.lstrip("/").partition(":")
        return self.workspace / "bazel-bin" / package / name


def run_binary(path: Path, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(path), *args], text=True, capture_output=True, timeout=60, **kwargs)  # type: ignore[call-overload]


def clean_env(**extra: str) -> dict[str, str]:
    """An `env -i`-like environment: no PATH to any Python, garbage Python variables."""
    env = {"PATH": "/nonexistent", "PYTHONPATH": "/garbage/path", "PYTHONHOME": "/garbage/home", "LANG": "C"}
    env.update(extra)
    return env


def package_label(path: Path) -> str:
    return "//" + str(path.relative_to(WORKSPACE))


def write_files(package: Path, files: dict[str, str]) -> None:
    """Writes `files` (relative path -> text) under `package`, creating directories."""
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def build_fails(bazel: Bazel, label: str) -> str:
    """Builds `label`, asserts the build fails, returns Bazel's stderr."""
    proc = bazel.run("build", label, check=False)
    assert proc.returncode != 0, f"{label} built but should have failed"
    return proc.stderr
