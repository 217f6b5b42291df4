"""Repository rule that installs the tools' pinned PyPI dependencies (WORKSPACE path)."""

_PACKAGE_BUILD = """\
package(default_visibility = ["//visibility:public"])

alias(
    name = "{name}",
    actual = "//:site_packages",
)

alias(
    name = "pkg",
    actual = "//:site_packages",
)
"""

_ROOT_BUILD = """\
load("@rules_python//python:defs.bzl", "py_library")

package(default_visibility = ["//visibility:public"])

py_library(
    name = "site_packages",
    srcs = glob(["site-packages/**/*.py"]),
    data = glob(["site-packages/**"], exclude = ["site-packages/**/*.py", "site-packages/**/__pycache__/**", "site-packages/**/* *"]),
    imports = ["site-packages"],
)
"""

def _normalize(name):
    return name.lower().replace("-", "_").replace(".", "_")

def _tool_deps_repo_impl(rctx):
    lock = rctx.path(rctx.attr.requirements_lock)
    args = [
        rctx.attr.interpreter,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-input",
        "--no-deps",
        "--require-hashes",
        "--only-binary=:all:",
        "--no-compile",
        "--target",
        str(rctx.path("site-packages")),
        "-r",
        str(lock),
    ]
    result = rctx.execute(args, timeout = 600, environment = {"PIP_BREAK_SYSTEM_PACKAGES": "1"})
    if result.return_code != 0:
        fail("oxidizer tool dependencies: `%s` failed:\n%s%s" % (" ".join(args), result.stdout, result.stderr))
    rctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % rctx.attr.name)
    rctx.file("BUILD.bazel", _ROOT_BUILD)
    for line in rctx.read(lock).splitlines():
        line = line.strip()
        if not line or line.startswith("#") or line.startswith("--") or "==" not in line:
            continue
        name = _normalize(line.split("==")[0])
        rctx.file(name + "/BUILD.bazel", _PACKAGE_BUILD.format(name = name))

oxidizer_tool_deps = repository_rule(
    implementation = _tool_deps_repo_impl,
    doc = """Installs rules_oxidizer's tool dependencies from a hash-pinned lock file.

Exposes `@<name>//<normalized_package>` (e.g. `@oxidizer_tool_deps//absl_py`), the same labels a
rules_python `pip.parse` hub gives bzlmod users. Runs at fetch time, never in an action.""",
    attrs = {
        "interpreter": attr.string(
            default = "/usr/bin/python3.11",
            doc = "Interpreter that runs the tools; its pip installs the wheels.",
        ),
        "requirements_lock": attr.label(
            allow_single_file = True,
            mandatory = True,
            doc = "pip-compile output with `--hash` lines for every requirement.",
        ),
    },
)
