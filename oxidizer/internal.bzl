"""Repository-internal entry point: what rules_oxidizer's own code outside `oxidizer/` uses of `oxidizer/private`.

Not public API (that is `defs.bzl`, `providers.bzl`, `repositories.bzl`, `pip.bzl` and
`extensions.bzl`): it may change without notice. Its users are this repository's packages
(`//tools`, `//runtime`, `//docs`, `//tests/...`) and the BUILD files of the distribution
repositories rules_oxidizer generates (`oxidizer_python_distribution`,
`oxidizer_python_source`). Nothing outside `oxidizer/` loads a file of `oxidizer/private`:
it loads this one, whose `bzl_library` (`//oxidizer:internal`) is visible to this
repository's packages only.
"""

load("//oxidizer/private:interpreter_settings_files.bzl", _interpreter_settings_file = "interpreter_settings_file")
load("//oxidizer/private:locations.bzl", _location_error = "location_error")
load("//oxidizer/private:paths.bzl", _is_normalized_relative = "is_normalized_relative")
load("//oxidizer/private:policy.bzl", _OPTIMIZE_LEVELS = "OPTIMIZE_LEVELS")
load("//oxidizer/private:py_tool.bzl", _PyToolInfo = "PyToolInfo", _oxidizer_py_tool = "oxidizer_py_tool", _py_tool = "py_tool", _run_py_tool = "run_py_tool")
load("//oxidizer/private:python_distribution.bzl", _python_distribution = "python_distribution")
load("//oxidizer/private/cpython:cpython_build.bzl", _cpython_build = "cpython_build", _exec_output = "exec_output")

# Python tools run by actions (//tools, //docs:reference).
PyToolInfo = _PyToolInfo
oxidizer_py_tool = _oxidizer_py_tool
py_tool = _py_tool
run_py_tool = _run_py_tool

# The interpreter settings declaration written as the runtime's C header and the docs' table.
interpreter_settings_file = _interpreter_settings_file

# What the generated distribution repositories' BUILD files declare.
python_distribution = _python_distribution
cpython_build = _cpython_build
exec_output = _exec_output

# The location check, for its agreement test with runtime/python/_oxidized_importer/locations.py
# (//tests/analysis:location_cases_test).
location_error = _location_error

# The normalized relative path rule, for its agreement test with
# runtime/python/_oxidized_importer/paths.py (//tests/analysis:path_cases_test).
is_normalized_relative = _is_normalized_relative

# Every bytecode optimization level, for the runtime support group (//runtime/python:support).
OPTIMIZE_LEVELS = _OPTIMIZE_LEVELS
