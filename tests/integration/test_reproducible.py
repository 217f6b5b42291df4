"""Same inputs, byte-identical outputs; editing app code re-runs no standard-library action."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from oxidizer_it import WORKSPACE, Bazel, package_label, run_binary

HELLO_OUTPUTS = ["hello", "hello.app.pyembed", "hello.app.manifest.pb", "hello.app.bytecode"]


def _digests(directory: Path) -> dict[str, str]:
    return {name: hashlib.sha256((directory / name).read_bytes()).hexdigest() for name in HELLO_OUTPUTS}


def test_two_clean_builds_are_byte_identical(bazel: Bazel) -> None:
    """A second build into a fresh output tree (new configuration directory) gives the same bytes."""
    bazel.build("//examples/hello:hello", "@oxidizer_python//:stdlib_resources")
    first = _digests(WORKSPACE / "bazel-bin" / "examples" / "hello")
    stdlib_first = hashlib.sha256((WORKSPACE / "bazel-bin/external/oxidizer_python/stdlib_resources.pyembed").read_bytes()).hexdigest()

    # --platform_suffix moves every output (and the tools) to a new, empty directory, so
    # everything is rebuilt from scratch; no absolute or configuration path may leak in.
    suffix = ["--platform_suffix=repro"]
    bazel.build("//examples/hello:hello", "@oxidizer_python//:stdlib_resources", extra=suffix)
    bin_dir = Path(bazel.run("info", "bazel-bin", *suffix).stdout.strip())
    second = _digests(bin_dir / "examples" / "hello")
    stdlib_second = hashlib.sha256((bin_dir / "external/oxidizer_python/stdlib_resources.pyembed").read_bytes()).hexdigest()
    assert first == second
    # The generated C names the blobs by exec path (configuration-dependent), never absolutely.
    config_c = (bin_dir / "examples" / "hello" / "hello.oxidizer_config.c").read_text()
    assert '.incbin \\"/' not in config_c and str(WORKSPACE) not in config_c
    assert stdlib_first == stdlib_second


def _executed_outputs(log: Path) -> list[str]:
    """Output paths of every spawn Bazel actually ran (cache hits are not logged)."""
    decoder, text, pos, outputs = json.JSONDecoder(), log.read_text(), 0, []
    while pos < len(text):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        entry, pos = decoder.raw_decode(text, pos)
        outputs += [o["path"] for o in entry.get("actualOutputs", [])] + list(entry.get("listedOutputs", []))
    return outputs


def test_editing_app_code_reruns_no_stdlib_action(bazel: Bazel, generated_package: Path, tmp_path: Path) -> None:
    main = generated_package / "main.py"
    main.write_text("print('version one')\n")
    (generated_package / "BUILD.bazel").write_text(
        'load("//oxidizer:defs.bzl", "py_oxidized_binary")\npy_oxidized_binary(name = "bin", main = "main.py")\n'
    )
    label = package_label(generated_package) + ":bin"
    bazel.build(label)
    assert run_binary(bazel.bin(label)).stdout == "version one\n"

    main.write_text("print('version two')\n")
    log = tmp_path / "exec.json"
    bazel.build(label, extra=[f"--execution_log_json_file={log}"])
    assert run_binary(bazel.bin(label)).stdout == "version two\n"
    outputs = _executed_outputs(log)
    assert any(o.endswith("/bin.app.pyembed") for o in outputs), outputs
    assert [o for o in outputs if "stdlib_resources" in o or "/external/" in o] == []
