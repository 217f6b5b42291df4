"""PyPI wheels for rules_oxidizer: lock files, target tags and markers, wheel layout.

Run at fetch time by `oxidizer/private/pip_repository.bzl` under the embedded distribution's
interpreter (standard library and pip only: `packaging` comes from pip's vendored copy when it
is not installed), and by the `oxidizer lock` command.
"""
