#!/usr/bin/env bash
# Runs buildifier's lint, then every test: Bazel tests (C parser, sanitizers, fuzz replay,
# analysis tests), then the pytest suites (tool unit tests and integration tests that build
# and run the examples with real Bazel). Installs anything missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --no-example

# Lint first: buildifier over every Starlark, BUILD, WORKSPACE and MODULE file (seconds).
scripts/lint.sh

# Leftovers of interrupted integration tests are not part of the build.
rm -rf tests/integration/generated
bazel test //...

# CPython 3.13 (Debian trixie's source): the runtime behaviour test, the examples and the
# importer's integration tests, with every binary on 3.13 (--config=py313 in .bazelrc).
bazel test //runtime:runtime_behaviour_test_py313
# The examples' output tests (examples/pypi's lock holds CPython 3.11 wheels).
bazel test --config=py313 -- //examples/... -//examples/pypi/...
OXIDIZER_BAZEL_CONFIG=py313 .venv/bin/python -m pytest -q -p no:cacheprovider \
  tests/integration/test_examples.py tests/integration/test_importer.py

# pytest last: its summary line is the run's verdict. --durations lists the slowest tests, so
# every run says where the integration suite's time goes.
exec .venv/bin/python -m pytest -q -p no:cacheprovider --durations=25 tools/tests bench/run_test.py tests/integration "$@"
