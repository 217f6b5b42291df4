"""PyPI dependencies for WORKSPACE users: `oxidizer_pip_parse` (see docs/user-guide.md)."""

load("//oxidizer/private:pip_repository.bzl", _oxidizer_pip_parse = "oxidizer_pip_parse")

oxidizer_pip_parse = _oxidizer_pip_parse
