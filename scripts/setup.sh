#!/usr/bin/env bash
# Installs what rules_oxidizer needs on a fresh Debian 12 machine (idempotent), then builds
# and runs the main example. `--no-example` stops after installing (scripts/test.sh uses it).
set -euo pipefail
cd "$(dirname "$0")/.."

run_example=1
[[ "${1:-}" == "--no-example" ]] && run_example=0

# Debian packages: Bazel 4.2.3 and its offline rule repositories, the CPython whose static
# libpython is embedded, a C toolchain, and strace/hyperfine for tests and the benchmark.
packages=(
  bazel-bootstrap bazel-rules-java bazel-platforms bazel-skylib
  python3.11 python3.11-dev libpython3.11-dev python3.11-venv python3-pip
  build-essential strace hyperfine
)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# A virtualenv of the same interpreter the Bazel tools run under, for the pytest suites.
# The stamp holds the hash of the lock files: the venv is rebuilt when they change.
stamp="$(cat third_party/tool_deps/requirements_lock.txt tests/requirements_lock.txt | sha256sum | cut -c1-16)"
if [[ ! -f .venv/stamp || "$(cat .venv/stamp)" != "$stamp" ]]; then
  echo "setup: creating .venv" >&2
  rm -rf .venv
  /usr/bin/python3.11 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check --require-hashes --only-binary=:all: \
    -r third_party/tool_deps/requirements_lock.txt -r tests/requirements_lock.txt
  echo "$stamp" > .venv/stamp
fi

if ((run_example)); then
  bazel build //examples/hello:hello
  bazel run //examples/hello:hello -- "from" "the" "README"
fi
