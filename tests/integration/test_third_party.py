"""Third-party libraries (py_library targets of other repositories) are groups of their own.

`@pypi//pyyaml` (a real wheel with a C extension, from oxidizer_pip_parse) and
`@oxidizer_tool_deps//absl_py` (a pip-installed site-packages) are libraries of other
repositories: the aspect on py_oxidized_binary.deps packs each once, for every binary.
"""

from __future__ import annotations

from pathlib import Path

from oxidizer_it import Bazel, clean_env, package_label, run_binary
from test_reproducible import _executed_outputs

BUILD = """\
load("//oxidizer:defs.bzl", "py_oxidized_binary")

py_oxidized_binary(name = "one", main = "main.py", deps = ["@oxidizer_tool_deps//absl_py", "@pypi//pyyaml"])

py_oxidized_binary(
    name = "two",
    main = "main.py",
    deps = ["@oxidizer_tool_deps//absl_py", "@pypi//pyyaml"],
    allow_in_memory_shared_library_loading = True,
)
"""

MAIN = """\
import _decimal, absl.flags, google.protobuf, yaml
print("{version}", absl.flags.__name__, _decimal.Decimal("1.5") * 2, getattr(absl.flags, "__file__", None), yaml.__with_libyaml__)
"""


def test_third_party_groups_are_shared_and_not_rerun(bazel: Bazel, generated_package: Path, tmp_path: Path) -> None:
    (generated_package / "BUILD.bazel").write_text(BUILD)
    main = generated_package / "main.py"
    main.write_text(MAIN.format(version="v1"))
    one, two = (package_label(generated_package) + ":" + n for n in ("one", "two"))
    first_log = tmp_path / "first.json"
    bazel.build(one, two, extra=[f"--execution_log_json_file={first_log}"])
    for label in (one, two):
        assert run_binary(bazel.bin(label)).stdout == "v1 absl.flags 3.0 None True\n"

    main.write_text(MAIN.format(version="v2"))
    log = tmp_path / "exec.json"
    bazel.build(one, two, extra=[f"--execution_log_json_file={log}"])
    outputs = _executed_outputs(log)
    assert any(o.endswith("/one.app.pyembed") for o in outputs), outputs
    # Neither the shared group nor the binaries' relocated copies of it ran again.
    assert [o for o in outputs if "/external/" in o or ".shared" in o] == []


def test_in_memory_binary_runs_alone(bazel: Bazel, generated_package: Path, tmp_path: Path) -> None:
    """allow_in_memory_shared_library_loading moves the stdlib's extension modules into memory too."""
    (generated_package / "BUILD.bazel").write_text(BUILD)
    (generated_package / "main.py").write_text(MAIN.format(version="alone"))
    two = package_label(generated_package) + ":two"
    bazel.build(two)
    alone = tmp_path / "two"
    alone.write_bytes(bazel.bin(two).read_bytes())
    alone.chmod(0o755)
    proc = run_binary(alone, cwd=tmp_path, env=clean_env())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "alone absl.flags 3.0 None True\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["two"]
