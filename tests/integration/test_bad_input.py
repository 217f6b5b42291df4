"""Bad input fails the build with a message naming the target and the file."""

from __future__ import annotations

from pathlib import Path

from oxidizer_it import Bazel, build_fails, package_label, run_binary, write_files

LOAD = 'load("//oxidizer:defs.bzl", "py_oxidized_binary", "oxidized_resources")\n' \
       'load("@rules_python//python:defs.bzl", "py_library")\n'




def test_conflicting_modules(bazel: Bazel, generated_package: Path) -> None:
    write_files(generated_package, {
        "BUILD.bazel": LOAD + (
            'py_library(name = "a", srcs = ["a/dup.py"], imports = ["a"])\n'
            'py_library(name = "b", srcs = ["b/dup.py"], imports = ["b"])\n'
            'py_oxidized_binary(name = "bin", run_module = "dup", deps = [":a", ":b"])\n'
        ),
        "a/dup.py": "print('a')\n",
        "b/dup.py": "print('b')\n",
    })
    label = package_label(generated_package) + ":bin"
    err = build_fails(bazel, label)
    assert f"{label}: module 'dup' is provided by both" in err
    assert "a/dup.py" in err and "b/dup.py" in err and "with different content" in err


def test_identical_duplicates_are_fine(bazel: Bazel, generated_package: Path) -> None:
    write_files(generated_package, {
        "BUILD.bazel": LOAD + (
            'py_library(name = "a", srcs = ["a/dup.py"], imports = ["a"])\n'
            'py_library(name = "b", srcs = ["b/dup.py"], imports = ["b"])\n'
            'py_oxidized_binary(name = "bin", run_module = "dup", deps = [":a", ":b"])\n'
        ),
        "a/dup.py": "print('same')\n",
        "b/dup.py": "print('same')\n",
    })
    label = package_label(generated_package) + ":bin"
    bazel.build(label)



def test_syntax_error(bazel: Bazel, generated_package: Path) -> None:
    write_files(generated_package, {
        "BUILD.bazel": LOAD + 'py_oxidized_binary(name = "bin", main = "m.py", deps = [":lib"])\n'
                              'py_library(name = "lib", srcs = ["broken.py"])\n',
        "m.py": "import broken\n",
        "broken.py": "x = 1\ndef (:\n",
    })
    label = package_label(generated_package) + ":bin"
    err = build_fails(bazel, label)
    rel = str(generated_package.relative_to(generated_package.parents[3]))
    assert f"error: {label}: {rel}/broken.py:2: SyntaxError" in err


def test_main_that_is_not_a_module_name(bazel: Bazel, generated_package: Path) -> None:
    write_files(generated_package, {
        "BUILD.bazel": LOAD + 'py_oxidized_binary(name = "bin", main = "2tool.py")\n',
        "2tool.py": "print(1)\n",
    })
    label = package_label(generated_package) + ":bin"
    err = build_fails(bazel, label)
    assert f"{label}: main file" in err and "2tool.py is not an importable Python module name" in err


def test_main_with_a_hyphen_runs(bazel: Bazel, generated_package: Path) -> None:
    write_files(generated_package, {
        "BUILD.bazel": LOAD + 'py_oxidized_binary(name = "bin", main = "my-tool.py")\n',
        "my-tool.py": "print('tool ran as', __name__)\n",
    })
    label = package_label(generated_package) + ":bin"
    bazel.build(label)
    assert run_binary(bazel.bin(label)).stdout == "tool ran as __main__\n"


_FAKE_DIST = (
    'load("//oxidizer/private:python_distribution.bzl", "python_distribution")\n'
    "python_distribution(\n"
    '    name = "dist",\n'
    '    interpreter = "@oxidizer_python//:python",\n'
    '    runtime = "@oxidizer_python//:runtime",\n'
    '    version = "3.11.2",\n'
    '    magic_number_hex = "deadbeef",\n'
    '    extension_suffixes = [".so"],\n'
    ")\n"
)


def test_distribution_magic_mismatch_in_pack(bazel: Bazel, generated_package: Path) -> None:
    write_files(generated_package, {
        "BUILD.bazel": LOAD + _FAKE_DIST + 'oxidized_resources(name = "res", srcs = ["m.py"], distribution = ":dist")\n',
        "m.py": "",
    })
    label = package_label(generated_package) + ":res"
    err = build_fails(bazel, label)
    assert f"{label}: bytecode magic number a70d0d0a" in err
    assert "differs from deadbeef" in err



def test_distribution_without_static_library_fails_at_fetch(bazel: Bazel) -> None:
    err = build_fails(bazel, "@test_python_without_static_lib//:distribution")
    assert 'oxidizer_python_distribution(name = "test_python_without_static_lib"): ' in err
    assert "has no static libpython; looked for /nonexistent/libpython3.11.a" in err


def test_source_distribution_with_a_wrong_sha256(bazel: Bazel) -> None:
    err = build_fails(bazel, "@test_python_source_bad_sha256//:distribution")
    assert "python3.11_3.11.2.orig.tar.gz" in err
    assert "2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849" in err  # what was found
    assert "0000000000000000000000000000000000000000000000000000000000000000" in err  # what was expected


def test_source_distribution_of_another_version(bazel: Bazel) -> None:
    err = build_fails(bazel, "@test_python_source_wrong_version//:distribution")
    assert 'oxidizer_python_source(name = "test_python_source_wrong_version"): ' in err
    assert "python3.13_3.13.5.orig.tar.xz is CPython 3.13.5, expected 3.11 (python_version)" in err


def test_source_distribution_without_a_static_archive(bazel: Bazel) -> None:
    err = build_fails(bazel, "@test_python_source_without_static_libs//:distribution")
    assert "static library libssl.a (for _ssl, _hashlib) not found in /nonexistent/lib; install Debian's libssl-dev" in err




def test_run_module_not_in_the_binary(bazel: Bazel, generated_package: Path) -> None:
    write_files(generated_package, {
        "BUILD.bazel": LOAD + (
            'py_library(name = "lib", srcs = ["app/__init__.py", "app/cli.py"], imports = ["."])\n'
            'py_oxidized_binary(name = "bin", run_module = "app.cil", deps = [":lib"])\n'
            'py_oxidized_binary(name = "pkg", run_module = "app", deps = [":lib"])\n'
        ),
        "app/__init__.py": "",
        "app/cli.py": "print('cli')\n",
    })
    label = package_label(generated_package)
    err = build_fails(bazel, label + ":bin")
    assert f"error: {label}:bin: run_module 'app.cil' is not in the binary: no embedded group ({label}:bin," in err
    assert not bazel.bin(label + ":bin").exists()
    err = build_fails(bazel, label + ":pkg")
    assert f"error: {label}:pkg: run_module 'app' is a package without a app.__main__ module" in err


def test_files_under_a_non_identifier_directory(bazel: Bazel, generated_package: Path) -> None:
    write_files(generated_package, {
        "BUILD.bazel": LOAD + (
            'py_library(name = "lib", srcs = ["app.py", "my-pkg/helpers.py"], data = ["my-pkg/data.txt"], imports = ["."])\n'
            'py_oxidized_binary(name = "bin", run_module = "app", deps = [":lib"])\n'
            'py_oxidized_binary(name = "files", run_module = "app", deps = [":lib"], allow_files = True)\n'
        ),
        "app.py": "print('app')\n",
        "my-pkg/helpers.py": "X = 1\n",
        "my-pkg/data.txt": "data\n",
    })
    label = package_label(generated_package)
    err = build_fails(bazel, label + ":bin")
    assert (
        f"error: {label}:bin: 2 files would be left out: my-pkg/ (2 files) is not a Python package name, "
        "so no import or resource reader can reach them: my-pkg/data.txt, my-pkg/helpers.py. "
    ) in err
    # With allow_files they are File resources.
    bazel.build(label + ":files")
    assert run_binary(bazel.bin(label + ":files")).stdout == "app\n"


def test_resource_locations_pattern_matching_nothing(bazel: Bazel, generated_package: Path) -> None:
    write_files(generated_package, {
        "BUILD.bazel": LOAD + (
            'py_library(name = "lib", srcs = ["mypkg/__init__.py"], imports = ["."])\n'
            'py_oxidized_binary(name = "bin", run_command = "import mypkg", deps = [":lib"],\n'
            '    resource_locations = {"mypkg": "filesystem-relative:lib", "email.*": "filesystem-relative:lib", "mypgk.*": "filesystem-relative:lib"})\n'
            'oxidized_resources(name = "group", deps = [":lib"], resource_locations = {"json": "in-memory"})\n'
        ),
        "mypkg/__init__.py": "",
    })
    label = package_label(generated_package)
    err = build_fails(bazel, label + ":bin")
    # The stdlib's email.* matches; the misspelled pattern does not.
    assert f"error: {label}:bin: resource_locations pattern 'mypgk.*' matches no resource of the binary's groups;" in err
    err = build_fails(bazel, label + ":group")
    assert f"error: {label}:group: resource_locations pattern 'json' matches no resource of this group;" in err


def test_extension_module_that_is_not_an_elf_shared_object(bazel: Bazel, generated_package: Path) -> None:
    write_files(generated_package, {
        "BUILD.bazel": LOAD + (
            'py_library(name = "lib", srcs = ["mypkg/__init__.py"], data = ["mypkg/_speedups.cpython-311-x86_64-linux-gnu.so"], imports = ["."])\n'
            'py_oxidized_binary(name = "bin", run_command = "import mypkg", deps = [":lib"], allow_in_memory_shared_library_loading = True)\n'
        ),
        "mypkg/__init__.py": "",
        "mypkg/_speedups.cpython-311-x86_64-linux-gnu.so": "not a library\n",
    })
    label = package_label(generated_package) + ":bin"
    err = build_fails(bazel, label)
    rel = str(generated_package.relative_to(generated_package.parents[3]))
    assert (
        f"error: {label}: extension module 'mypkg._speedups' (mypkg/_speedups.cpython-311-x86_64-linux-gnu.so): "
        f"{rel}/mypkg/_speedups.cpython-311-x86_64-linux-gnu.so is not an ELF shared object: not an ELF file "
        "(it starts with b'not a li'); rebuild it for this platform or remove it from the target"
    ) in err
