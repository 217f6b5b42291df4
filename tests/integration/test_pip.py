"""oxidizer_pip_parse with real Bazel and real wheels through this machine's pip configuration.

The hubs are declared in WORKSPACE (@pypi for examples/pypi, @test_pip_* fixtures under
tests/integration/pip/); their wheels are fetched only when a test builds them.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

from oxidizer_it import GENERATED, Bazel, build_fails, package_label, write_files

LOCAL_WHEEL = "oxidizer_nonascii_fixture-1.0-py3-none-any.whl"
# Files of the local fixture wheel: non-ASCII names kept, a name with a space left out.
LOCAL_FILES = {
    "oxfix/__init__.py": b"",
    "oxfix/caf\u00e9.py": b"NAME = 'caf\\u00e9'\n",
    "oxfix/donn\u00e9es/\u00e9t\u00e9.txt": b"summer\n",
    "oxfix/with space.txt": b"dropped\n",
}


def _query(bazel: Bazel, expression: str) -> list[str]:
    return bazel.run("query", expression, "--output=label").stdout.split()


def test_example_hub_builds_with_dependencies_from_requires_dist(bazel: Bazel) -> None:
    bazel.build("@pypi//rich", "@pypi//black", "@pypi//numpy", "@pypi//pyyaml", "@pypi//requests")
    deps = _query(bazel, "kind(py_library, deps(@pypi//rich))")
    assert "@pypi_markdown_it_py//:pkg" in deps and "@pypi_pygments//:pkg" in deps and "@pypi_mdurl//:pkg" in deps
    black = _query(bazel, "kind(py_library, deps(@pypi//black))")
    assert {"@pypi_click//:pkg", "@pypi_pathspec//:pkg", "@pypi_pytokens//:pkg"} <= set(black)
    # numpy's vendored shared libraries are data of its py_library.
    data = _query(bazel, "labels(data, @pypi_numpy//:pkg)")
    assert any("numpy.libs/libgfortran" in label for label in data), data[:5]
    assert not any("__pycache__" in label or label.endswith(".pyc") for label in data)
    tags = bazel.run("query", "@pypi_rich//:pkg", "--output=build").stdout
    assert '"pypi_name=rich"' in tags and '"pypi_version=' in tags


def test_small_hub_runs_in_a_py_binary(bazel: Bazel, generated_package: Path) -> None:
    """six, attrs, requests[socks] (extra -> PySocks) and docopt (sdist only, built at fetch time)."""
    deps = _query(bazel, "kind(py_library, deps(@test_pip_small//requests))")
    assert "@test_pip_small_pysocks//:pkg" in deps  # from the lock line's [socks]
    assert "@test_pip_small_urllib3//:pkg" in deps
    write_files(
        generated_package,
        {
            "BUILD.bazel": (
                'load("@rules_python//python:defs.bzl", "py_binary")\n'
                'load("@test_pip_small//:requirements.bzl", "requirement", "all_requirements")\n'
                "py_binary(\n"
                '    name = "app",\n'
                '    srcs = ["app.py"],\n'
                '    deps = [requirement("Six"), requirement("docopt"), "@test_pip_small//requests", "@test_pip_small//attrs:pkg"],\n'
                ")\n"
                'genrule(name = "all", outs = ["all.txt"], cmd = "echo %s > $@" % " ".join(all_requirements))\n'
            ),
            "app.py": (
                "import attrs, docopt, requests, six, socks\n"
                "print(six.__name__, docopt.__version__, requests.__version__, attrs.__name__, socks.__name__)\n"
            ),
        },
    )
    label = package_label(generated_package)
    out = bazel.run("run", label + ":app").stdout
    assert out.split()[:2] == ["six", "0.6.2"], out
    bazel.build(label + ":all")
    listed = (bazel.workspace / "bazel-bin" / generated_package.relative_to(bazel.workspace) / "all.txt").read_text().split()
    assert "@test_pip_small//docopt" in listed and "@test_pip_small//pywin32" not in listed  # pywin32: win32 marker


def test_lock_line_without_a_hash(bazel: Bazel) -> None:
    err = build_fails(bazel, "@test_pip_nohash//six")
    assert 'oxidizer_pip_parse(name = "test_pip_nohash")' in err
    assert "//tests/integration/pip:nohash/requirements_lock.txt:4: attrs==26.1.0 has no --hash" in err


def test_hash_mismatch(bazel: Bazel) -> None:
    err = build_fails(bazel, "@test_pip_bad//six")
    assert 'oxidizer_pip_parse(name = "test_pip_bad"): six' in err
    assert "six==1.17.0 (//tests/integration/pip:bad/requirements_lock.txt): hash mismatch" in err


def test_no_wheel_for_the_target(bazel: Bazel) -> None:
    err = build_fails(bazel, "@test_pip_bad//pywin32")
    assert "pywin32==306 (//tests/integration/pip:bad/requirements_lock.txt): no wheel for the target cp311" in err
    assert "abi cp311, abi3, none; platforms manylinux_2_" in err and "linux_x86_64)" in err


def test_dependency_missing_from_the_lock(bazel: Bazel) -> None:
    err = build_fails(bazel, "@test_pip_bad//requests")
    assert 'oxidizer_pip_parse(name = "test_pip_bad"): requests 2.34.2 requires' in err
    assert "idna" in err and "not in //tests/integration/pip:bad/requirements_lock.txt" in err


def test_unknown_project(bazel: Bazel) -> None:
    err = build_fails(bazel, "@test_pip_small//nonexistent")
    assert "no such package '@test_pip_small//nonexistent'" in err


def _local_wheel(directory: Path) -> Path:
    """A deterministic wheel (fixed timestamps), so that the committed lock's hash matches."""
    files = dict(LOCAL_FILES)
    dist_info = "oxidizer_nonascii_fixture-1.0.dist-info"
    files[f"{dist_info}/METADATA"] = b"Metadata-Version: 2.1\nName: oxidizer-nonascii-fixture\nVersion: 1.0\n"
    files[f"{dist_info}/WHEEL"] = b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = "".join(
        f"{name},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}\n"
        for name, data in files.items()
    )
    files[f"{dist_info}/RECORD"] = (record + f"{dist_info}/RECORD,,\n").encode()
    path = directory / LOCAL_WHEEL
    directory.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return path


def test_non_ascii_file_names_are_kept(bazel: Bazel) -> None:
    links = GENERATED / "pip_find_links"  # ignored by git; kept: the fetched repository may be re-fetched
    wheel = _local_wheel(links)
    lock = (bazel.workspace / "tests/integration/pip/local/requirements_lock.txt").read_text()
    assert hashlib.sha256(wheel.read_bytes()).hexdigest() in lock, "the fixture wheel changed: update its hash in the lock"
    repo_env = [f"--repo_env=PIP_FIND_LINKS={links}"]
    bazel.run("build", *repo_env, "@test_pip_local//oxidizer_nonascii_fixture")
    srcs = bazel.run("query", *repo_env, "labels(srcs, @test_pip_local_oxidizer_nonascii_fixture//:pkg)").stdout
    data = bazel.run("query", *repo_env, "labels(data, @test_pip_local_oxidizer_nonascii_fixture//:pkg)").stdout
    assert "site-packages/oxfix/caf\u00e9.py" in srcs
    assert "site-packages/oxfix/donn\u00e9es/\u00e9t\u00e9.txt" in data
    assert "with space" not in data
    build = bazel.run("query", *repo_env, "@test_pip_local_oxidizer_nonascii_fixture//:pkg", "--output=location").stdout
    build_file = Path(build.split(":")[0])
    assert "#   site-packages/oxfix/with space.txt" in build_file.read_text(encoding="utf-8")
