"""Fixtures for the integration tests (helpers live in oxidizer_it.py)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
# The build tools' modules that some tests import (oxidizer_tools.packed_resources) take the
# packed format from the runtime's support package (_oxidized_importer.packed_format), as in
# Bazel, where //tools:oxidizer_tools depends on //runtime/python:packed_format.
sys.path.append(str(Path(__file__).resolve().parents[2] / "runtime" / "python"))

from oxidizer_it import GENERATED, WORKSPACE, Bazel  # noqa: E402


@pytest.fixture(scope="session")
def bazel() -> Bazel:
    if shutil.which("bazel") is None:
        pytest.fail("bazel is not installed: run scripts/setup.sh")
    return Bazel(WORKSPACE)


@pytest.fixture(scope="session")
def extension_dir(bazel: Bazel) -> Path:
    """The directory of //runtime:oxidized_importer.so (oxidized_importer as a regular extension)."""
    bazel.build("//runtime:oxidized_importer.so")
    return bazel.bin("//runtime:oxidized_importer.so").parent


@pytest.fixture(scope="session")
def built_examples(bazel: Bazel) -> Bazel:
    targets = ["//examples/...", "//tests/integration/testdata/..."]
    if "py313" in os.environ.get("OXIDIZER_BAZEL_CONFIG", ""):
        # examples/pypi's lock holds CPython 3.11 wheels.
        targets.append("-//examples/pypi/...")
    bazel.build("--", *targets)
    return bazel


@pytest.fixture()
def generated_package(request: pytest.FixtureRequest) -> Iterator[Path]:
    """A fresh package under tests/integration/generated/<test name>, removed afterwards."""
    path = GENERATED / request.node.name.replace("[", "_").replace("]", "").replace("-", "_")
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def module_package(request: pytest.FixtureRequest) -> Iterator[Path]:
    """A fresh package under tests/integration/generated/<test module>, shared by the module's
    tests and removed after them: what they build from it (a stdlib group, a link) is built once."""
    path = GENERATED / request.module.__name__
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
