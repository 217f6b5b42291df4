"""WORKSPACE front-end: repositories rules_oxidizer needs.

```
load("@rules_oxidizer//oxidizer:repositories.bzl", "rules_oxidizer_dependencies")
rules_oxidizer_dependencies()
```
"""

load("@bazel_tools//tools/build_defs/repo:utils.bzl", "maybe")
load("//oxidizer/private:python_distribution_repo.bzl", _oxidizer_python_distribution = "oxidizer_python_distribution")
load("//oxidizer/private:tool_deps_repo.bzl", "oxidizer_tool_deps")

oxidizer_python_distribution = _oxidizer_python_distribution

def rules_oxidizer_dependencies(python_interpreter = "/usr/bin/python3.11", tool_interpreter = "/usr/bin/python3.11"):
    """Declares the default Python distribution (`@oxidizer_python`) and the tools' PyPI deps.

    Args:
      python_interpreter: the CPython whose static libpython and stdlib are embedded by default.
      tool_interpreter: the interpreter that runs rules_oxidizer's tools (must match the
        Python toolchain Bazel uses for `py_binary`).
    """
    maybe(
        oxidizer_python_distribution,
        name = "oxidizer_python",
        interpreter = python_interpreter,
    )
    maybe(
        oxidizer_tool_deps,
        name = "oxidizer_tool_deps",
        interpreter = tool_interpreter,
        requirements_lock = Label("//third_party/tool_deps:requirements_lock.txt"),
    )
