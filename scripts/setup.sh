#!/usr/bin/env bash
# Installs what rules_oxidizer needs on a fresh Debian 12 machine (idempotent), then builds
# and runs the main example. `--no-example` stops after installing (scripts/test.sh uses it).
set -euo pipefail
cd "$(dirname "$0")/.."

run_example=1
[[ "${1:-}" == "--no-example" ]] && run_example=0

# Debian packages: Bazel 4.2.3 and its offline rule repositories; the static libraries the
# CPython built from source links in (oxidizer/private/cpython/components.bzl); Debian's
# python3.11 (it installs the tools' wheels and runs pip at fetch time, and is the
# local-installation distribution the tests compare with); a C toolchain; strace/hyperfine
# for tests and the benchmark.
packages=(
  bazel-bootstrap bazel-rules-java bazel-platforms bazel-skylib
  libssl-dev libsqlite3-dev libffi-dev zlib1g-dev libbz2-dev liblzma-dev uuid-dev
  libncurses-dev libedit-dev libbsd-dev libmd-dev libcrypt-dev libzstd-dev
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

# Debian's CPython source packages (bookworm's 3.11, trixie's 3.13): `apt-get source` puts
# their upstream tarballs in third_party/cpython/distdir, which .bazelrc gives Bazel as
# --distdir, so the pinned archives (oxidizer/repositories.bzl) need no other download.
distdir=third_party/cpython/distdir
if [[ ! -f "$distdir/python3.11_3.11.2.orig.tar.gz" || ! -f "$distdir/python3.13_3.13.5.orig.tar.xz" ]]; then
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  if ! grep -rqs "^Types: deb-src" /etc/apt/sources.list.d/ && ! grep -qs "^deb-src" /etc/apt/sources.list; then
    echo "setup: adding Debian deb-src entries (bookworm, trixie)" >&2
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
      "${sudo_cmd[@]}" tee /etc/apt/sources.list.d/rules-oxidizer-src.sources >/dev/null
    "${sudo_cmd[@]}" apt-get update -qq
  fi
  mkdir -p "$distdir"
  (cd "$distdir" && apt-get source --download-only -qq python3.11/bookworm python3.13/trixie 2>&1 |
    grep -v "unsandboxed" >&2 || true)
  for archive in python3.11_3.11.2.orig.tar.gz python3.13_3.13.5.orig.tar.xz; do
    [[ -f "$distdir/$archive" ]] || { echo "setup: apt-get source did not give $distdir/$archive" >&2; exit 1; }
  done
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

# buildifier for scripts/lint.sh, pinned with its integrity in tools/lint/package-lock.json;
# its npm tarball carries the prebuilt binaries, so nothing runs or downloads at install.
# npm comes with Node.js; Debian's npm package brings both when neither is installed.
if ! command -v npm >/dev/null; then
  echo "setup: installing npm" >&2
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq npm >/dev/null
fi
lint_stamp="$(sha256sum tools/lint/package-lock.json | cut -c1-16)"
if [[ ! -f tools/lint/node_modules/stamp || "$(cat tools/lint/node_modules/stamp)" != "$lint_stamp" ]]; then
  echo "setup: installing tools/lint (npm ci)" >&2
  (cd tools/lint && npm ci --silent --no-audit --no-fund)
  echo "$lint_stamp" > tools/lint/node_modules/stamp
fi

if ((run_example)); then
  bazel build //examples/hello:hello
  bazel run //examples/hello:hello -- "from" "the" "README"
fi
