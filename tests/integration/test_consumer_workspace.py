"""A separate consumer workspace (e2e/smoke) uses rules_oxidizer as users do.

It loads `@rules_oxidizer//oxidizer:defs.bzl` through `local_repository`, sets up Bazel 4
with `rules_oxidizer_bazel4_compat()` and `rules_oxidizer_dependencies()`, and builds
binaries from its own BUILD file. Runs its own Bazel server, shut down afterwards.
"""

from __future__ import annotations

import subprocess

from oxidizer_it import WORKSPACE, run_binary

SMOKE = WORKSPACE / "e2e" / "smoke"


def _bazel(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bazel", *args], cwd=SMOKE, text=True, capture_output=True, timeout=1800)


def test_consumer_workspace_builds_and_runs() -> None:
    try:
        proc = _bazel("build", "//app:all")
        assert proc.returncode == 0, proc.stderr[-6000:]
        assert run_binary(SMOKE / "bazel-bin" / "app" / "bin").stdout == "hello from a consumer workspace\n"
        proc = run_binary(SMOKE / "bazel-bin" / "app" / "cli", "x")
        assert proc.stdout == "hello from a consumer workspace ['x']\n"
    finally:
        _bazel("shutdown")
