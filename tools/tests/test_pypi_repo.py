"""The repository rules' fetch-time script (hub files, wheel fetch) and the lock command."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

import pytest
from pypi_target_metadata import TARGET_METADATA

from oxidizer_tools.pypi.lockfile import LockedProject, parse_requirements_lock
from oxidizer_tools.pypi.repo import FetchError, fetch_wheel, is_pure_wheel, render_hub
from oxidizer_tools.pypi.resolve import Pin, lock, pins_from_report, render_lock

TOOLS = Path(__file__).resolve().parents[1]
SUPPORT = TOOLS.parent / "runtime" / "python"
PYTHON = Path("/usr/bin/python3.11")
H1 = "sha256:" + "a" * 64


def _pip_repository_run() -> str:
    """The `-c` program pip_repository.bzl runs: its `_RUN` (a Starlark string that is a Python literal)."""
    text = (TOOLS.parent / "oxidizer" / "private" / "pip_repository.bzl").read_text()
    line = next(line for line in text.splitlines() if line.startswith("_RUN = "))
    return str(ast.literal_eval(line[len("_RUN = ") :]))


def run_repo_py(*args: str) -> subprocess.CompletedProcess[str]:
    """Runs repo.py as pip_repository.bzl does (the distribution's interpreter, no site customization)."""
    command = [str(PYTHON), "-B", "-s", "-E", "-c", _pip_repository_run(), str(TOOLS), str(SUPPORT), *args]
    return subprocess.run(command, capture_output=True, text=True)


def test_render_hub() -> None:
    projects = [
        LockedProject("Markdown-It-Py", "3.0.0", (H1,), (), "", "//:lock.txt:3"),
        LockedProject("requests", "2.32.3", (H1,), ("socks",), "", "//:lock.txt:5"),
    ]
    files = render_hub("pypi", "//:lock.txt", projects, "@oxidizer_python//:python", "@oxidizer_python//:metadata.json")
    assert sorted(files) == ["BUILD.bazel", "deps.bzl", "markdown_it_py/BUILD.bazel", "requests/BUILD.bazel", "requirements.bzl"]
    req = files["requirements.bzl"]
    assert 'all_requirements = ["@pypi//markdown_it_py", "@pypi//requests"]' in req
    assert 'all_whl_requirements = ["@pypi//markdown_it_py:whl", "@pypi//requests:whl"]' in req
    assert 'name = _HUB + "_" + project["key"],' in req
    assert '"extras": [\n            "socks"\n        ],' in req
    assert 'lock = _LOCK,' in req and '_LOCK = "//:lock.txt"' in req
    hub_pkg = files["markdown_it_py/BUILD.bazel"]
    for name in ("markdown_it_py", "pkg", "whl", "dist_info"):
        assert f'    name = "{name}",' in hub_pkg
    assert 'actual = "@pypi_markdown_it_py//:pkg",' in hub_pkg
    assert '_LOCKED = ["markdown_it_py", "requests"]' in files["deps.bzl"]


def test_hub_under_the_distribution_interpreter(tmp_path: Path) -> None:
    """Runs as at fetch time: /usr/bin/python3.11 has no `packaging`, only pip's vendored copy."""
    metadata = tmp_path / "metadata.json"
    metadata.write_text(json.dumps(TARGET_METADATA))
    lock_file = tmp_path / "requirements_lock.txt"
    lock_file.write_text(f"six==1.16.0 --hash={H1}\ntomli==2.0.1 ; python_version < '3.11' --hash={H1}\n")
    out = tmp_path / "hub"
    common = ["--metadata", str(metadata), "--hub", "pypi", "--lock-label", "//:requirements_lock.txt", "--out", str(out)]
    labels = ["--python-label", "@oxidizer_python//:python", "--metadata-label", "@oxidizer_python//:metadata.json"]
    proc = run_repo_py("hub", "--lock", str(lock_file), *labels, *common)
    assert proc.returncode == 0, proc.stderr
    assert (out / "six" / "BUILD.bazel").exists()
    assert not (out / "tomli").exists()  # its marker is false for the target
    lock_file.write_text("six==1.16.0\n")
    proc = run_repo_py("hub", "--lock", str(lock_file), *labels, *common)
    assert proc.returncode == 1
    assert "//:requirements_lock.txt:1: six==1.16.0 has no --hash" in proc.stderr


def test_is_pure_wheel() -> None:
    assert is_pure_wheel("docopt-0.6.2-py2.py3-none-any.whl")
    assert is_pure_wheel("x-1.0-1build-py3-none-any.whl")
    assert not is_pure_wheel("x-1.0-cp311-cp311-linux_x86_64.whl")
    assert not is_pure_wheel("x-1.0-py3-none-linux_x86_64.whl")


def test_fetch_wheel_hash_mismatch_through_the_users_pip(tmp_path: Path, target) -> None:
    project = LockedProject("six", "1.17.0", ("sha256:" + "0" * 64,), location="//:lock.txt:1")
    with pytest.raises(FetchError, match=r"six==1\.17\.0 \(//:lock\.txt\): hash mismatch"):
        fetch_wheel(project, target, tmp_path, "//:lock.txt")


def test_pins_from_report() -> None:
    report = {
        "version": "1",
        "install": [
            {
                "metadata": {"name": "Requests", "version": "2.32.3"},
                "download_info": {"url": "https://x.invalid/r.whl", "archive_info": {"hash": "sha256=" + "b" * 64}},
                "requested_extras": ["SOCKS"],
            },
            {
                "metadata": {"name": "idna", "version": "3.7"},
                "download_info": {"url": "https://x.invalid/i.whl", "archive_info": {"hashes": {"sha256": "c" * 64}}},
            },
        ],
    }
    pins = pins_from_report(report)
    assert pins == [Pin("idna", "3.7", "c" * 64), Pin("requests", "2.32.3", "b" * 64, ("socks",))]
    text = render_lock(pins, _target(), "requirements.in")
    assert text.startswith("# Generated by `bazel run //:oxidizer -- lock requirements.in` for cp311")
    assert "requests[socks]==2.32.3 \\\n    --hash=sha256:" + "b" * 64 + "\n" in text
    assert [p.key for p in parse_requirements_lock(text, "x")] == ["idna", "requests"]


def _target():
    from oxidizer_tools.pypi.target import Target

    return Target.from_metadata(TARGET_METADATA)


def test_lock_resolves_for_the_target_and_keeps_pins(tmp_path: Path, target) -> None:
    """A real resolution with pip's resolver through this machine's pip configuration."""
    requirements_in = tmp_path / "requirements.in"
    requirements_in.write_text("requests[socks]\n")
    output = tmp_path / "requirements_lock.txt"
    pins = lock(requirements_in, output, python=PYTHON, target=target)
    names = {p.name for p in pins}
    assert {"requests", "idna", "urllib3", "certifi", "charset-normalizer", "pysocks"} <= names
    projects = parse_requirements_lock(output.read_text(), str(output))
    assert [p.extras for p in projects if p.key == "requests"] == [("socks",)]
    # The old pin of idna is kept (a constraint) unless --upgrade.
    text = output.read_text()
    old = next(p for p in projects if p.key == "idna")
    older = "3.6" if old.version != "3.6" else "3.5"
    output.write_text(text.replace(f"idna=={old.version}", f"idna=={older}"))
    pins = lock(requirements_in, output, python=PYTHON, target=target)
    assert [p.version for p in pins if p.name == "idna"] == [older]
    pins = lock(requirements_in, output, python=PYTHON, target=target, upgrade=True)
    assert [p.version for p in pins if p.name == "idna"] == [old.version]


def test_lock_errors_name_the_input(tmp_path: Path, target) -> None:
    from oxidizer_tools.pypi.resolve import ResolveError

    with pytest.raises(ResolveError, match="no such file"):
        lock(tmp_path / "missing.in", tmp_path / "out.txt", python=PYTHON, target=target)
    bad = tmp_path / "requirements.in"
    bad.write_text("this-project-does-not-exist-oxidizer==1.0\n")
    with pytest.raises(ResolveError, match=r"pip could not resolve .*requirements\.in for cp311"):
        lock(bad, tmp_path / "out.txt", python=PYTHON, target=target)


def test_cli_lock_paths_relative_to_build_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from oxidizer_tools import cli

    metadata = tmp_path / "metadata.json"
    metadata.write_text(json.dumps(TARGET_METADATA))
    work = tmp_path / "ws"
    (work / "app").mkdir(parents=True)
    (work / "app" / "requirements.in").write_text("six\n")
    monkeypatch.setenv("BUILD_WORKING_DIRECTORY", str(work))
    monkeypatch.chdir(tmp_path)
    argv = ["lock", "app/requirements.in", "--python", str(PYTHON), "--metadata", str(metadata)]
    assert cli.main(argv) == 0
    text = (work / "app" / "requirements_lock.txt").read_text()
    assert text.startswith("# Generated by `bazel run //:oxidizer -- lock app/requirements.in`")
    assert [p.key for p in parse_requirements_lock(text, "x")] == ["six"]
    assert cli.main([*argv, "-o", "locks/out.txt"]) == 1  # the directory does not exist: a message, not a traceback


def _sdist(directory: Path, name: str, setup: str, files: dict[str, str]) -> Path:
    import tarfile

    src = directory / "src" / f"{name}-1.0"
    for rel, text in {"setup.py": setup, **files}.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text)
    (src / "PKG-INFO").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    path = directory / "links" / f"{name}-1.0.tar.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as archive:
        archive.add(src, arcname=src.name)
    return path


def test_compiled_sdist_is_an_error(tmp_path: Path, target, monkeypatch: pytest.MonkeyPatch) -> None:
    """An sdist-only project whose wheel is not pure: built with the user's pip, then refused."""
    import hashlib

    name = "oxidizer_compiled_fixture"
    sdist = _sdist(
        tmp_path,
        name,
        "from setuptools import setup, Extension\n"
        f"setup(name='{name}', version='1.0', ext_modules=[Extension('oxfast', ['oxfast.c'])])\n",
        {"oxfast.c": "#include <Python.h>\nstatic struct PyModuleDef m = {PyModuleDef_HEAD_INIT, \"oxfast\"};\n"
         "PyMODINIT_FUNC PyInit_oxfast(void) { return PyModule_Create(&m); }\n"},
    )
    monkeypatch.setenv("PIP_FIND_LINKS", f"{sdist.parent} {__import__('os').environ.get('PIP_FIND_LINKS', '')}".strip())
    digest = "sha256:" + hashlib.sha256(sdist.read_bytes()).hexdigest()
    project = LockedProject(name, "1.0", (digest,))
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(FetchError, match=rf"{name}==1\.0 \(//:lock\.txt\): compiled sdist: {name}-1\.0\.tar\.gz builds .*cp311.*, not a pure-Python wheel"):
        fetch_wheel(project, target, work, "//:lock.txt")
