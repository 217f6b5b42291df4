#!/bin/bash
# Builds CPython from source with every standard-library extension module built in, PGO and
# LTO, then splits libpython, its bundled libraries and the third-party static archives into
# an archive of LTO-linked members whose only global symbols are CPython's API and the
# extension modules' init functions (split_libpython.py). Run by the
# OxidizerBuildCPython action (oxidizer/private/cpython/cpython_build.bzl); one action so that
# a disk or remote cache holds the whole result.
#
# Usage: build_cpython.sh KEY=VALUE...
#   src        CPython source tree (read only)
#   deps       directory with include/ and lib/ of the static third-party libraries
#   cc         C compiler; ar, ld and objcopy come from the same toolchain directory or PATH
#   version    expected X.Y (a source tree of another version is an error)
#   pgo        1 to train and rebuild with profile feedback
#   lto        1 for link-time optimization of the archive's members
#   disabled   comma-separated modules not built (py_cv_module_<name>=n/a)
#   jobs       parallel make jobs
#   splitter   split_libpython.py, run with the interpreter just built
#   out_archive    libpython as an archive: the core and one member per extension-module group
#   out_inittab    the inittab's entries and the member each needs (JSON; split_libpython.py)
#   out_pyconfig   pyconfig.h
#   out_interpreter, out_stdlib   bin/pythonX.Y and lib/pythonX.Y/ of one prefix: the
#                  interpreter finds its standard library through the landmark os.py
#   out_log        configure's and make's output
set -euo pipefail

declare -A arg
for kv in "$@"; do arg["${kv%%=*}"]="${kv#*=}"; done
execroot="$PWD"
abs() { case "$1" in /*) echo "$1" ;; *) echo "$execroot/$1" ;; esac; }
src="$(abs "${arg[src]}")"
deps="$(abs "${arg[deps]}")"
cc="${arg[cc]}"
[[ "$cc" == */* && "$cc" != /* ]] && cc="$(abs "$cc")"
version="${arg[version]}"
jobs="${arg[jobs]:-2}"
out_archive="$(abs "${arg[out_archive]}")"
out_inittab="$(abs "${arg[out_inittab]}")"
splitter="$(abs "${arg[splitter]}")"
out_pyconfig="$(abs "${arg[out_pyconfig]}")"
out_interpreter="$(abs "${arg[out_interpreter]}")"
out_stdlib="$(abs "${arg[out_stdlib]}")"
out_log="$(abs "${arg[out_log]}")"

found="$(sed -n 's/^#define PY_VERSION[ \t]*"\([0-9]*\.[0-9]*\).*/\1/p' "$src/Include/patchlevel.h")"
if [[ "$found" != "$version" ]]; then
  echo "build_cpython: $src/Include/patchlevel.h is Python ${found:-?}, expected $version" >&2
  exit 1
fi

# Paths compiled into the objects are mapped to /oxidizer/... with -ffile-prefix-map, so the
# result does not depend on where the action ran. The work directory is inside the sandbox.
# A fixed path (one build per version at a time, under a lock): the PGO training run then
# sees the same paths, so the same allocations, at every build.
work="${TMPDIR:-/tmp}/rules_oxidizer-cpython-$version"
exec 9>"$work.lock"
flock 9
rm -rf "$work"
mkdir -p "$work"
[[ -z "${OXIDIZER_KEEP_CPYTHON_BUILD:-}" ]] && trap 'rm -rf "$work"' EXIT
cp -RL "$src/." "$work/src"
chmod -R u+w "$work/src"
cd "$work/src"
exec 3>"$out_log"
log() { echo "build_cpython: $*" >&3; }

export SOURCE_DATE_EPOCH=0 PYTHONHASHSEED=0 LC_ALL=C TZ=UTC
ld="$("$cc" -print-prog-name=ld)"
objcopy="$("$cc" -print-prog-name=objcopy)"
ar="$("$cc" -print-prog-name=ar)"
readelf="$("$cc" -print-prog-name=readelf)"

# The static archives, plus libedit.a made self-contained: libedit needs strlcpy and vis()
# from libbsd, but the whole of libbsd would also bring getentropy() and friends, which must
# stay glibc's. A partial link pulls in only the members libedit uses; they are then hidden.
mkdir -p "$work/deps/lib"
ln -s "$deps/include" "$work/deps/include"
for archive in "$deps"/lib/*.a; do
  case "$(basename "$archive")" in
    libedit.a | libbsd.a | libmd.a) ;;
    *) ln -s "$archive" "$work/deps/lib/" ;;
  esac
done
if [[ -f "$deps/lib/libedit.a" ]]; then
  "$ld" -r -o "$work/edit.o" --whole-archive "$deps/lib/libedit.a" --no-whole-archive \
    "$deps/lib/libbsd.a" "$deps/lib/libmd.a"
  bsd_symbols="$(nm --defined-only -g "$deps/lib/libbsd.a" "$deps/lib/libmd.a" 2>/dev/null | awk 'NF == 3 {print $3}' | sort -u)"
  localize=()
  for sym in $(nm --defined-only -g "$work/edit.o" | awk '{print $3}' | sort -u | comm -12 - <(echo "$bsd_symbols")); do
    localize+=("--localize-symbol=$sym")
  done
  "$objcopy" "${localize[@]}" "$work/edit.o"
  "$ar" rcsD "$work/deps/lib/libedit.a" "$work/edit.o"
fi

prefix_map="-ffile-prefix-map=$work=/oxidizer/cpython -ffile-prefix-map=$execroot=/oxidizer/execroot"
cflags="$prefix_map -I$deps/include"
ldflags="-L$work/deps/lib"

configure_args=(
  --prefix=/oxidizer/python
  --disable-shared
  --with-pkg-config=no
  --with-readline=editline
  --without-ensurepip
  --with-openssl="$work/deps"
  --with-computed-gotos
  --without-system-expat
  --without-system-libmpdec
  --disable-test-modules
)
[[ "${arg[pgo]:-0}" == 1 ]] && configure_args+=(--enable-optimizations)

# LTO is done once, in the split below (one LTO link per archive member), not with
# configure's --with-lto (which makes every link of the build, instrumented ones included, an
# LTO link). Objects of the final stage are compiled with -flto -ffat-lto-objects: the build's
# own links use their machine code, the split their GIMPLE.
make_args=()
lto_compile=""
[[ "${arg[lto]:-0}" == 1 ]] && lto_compile="-flto=$jobs -ffat-lto-objects"
if [[ "${arg[pgo]:-0}" == 1 ]]; then
  # A deterministic training workload (pgo_training.py) in an empty environment without
  # address randomization, instead of the `-m test --pgo` run whose threads and timing
  # loops change the profile, and so the machine code, from one build to the next.
  training="$(abs "${arg[training]}")"
  cp "$training" "$work/pgo_training.py"
  make_args+=(
    "PGO_PROF_GEN_FLAG=-fprofile-generate -fprofile-reproducible=serial"
    "PGO_PROF_USE_FLAG=-fprofile-use -fprofile-correction -fprofile-reproducible=serial $lto_compile"
    # Not -I: isolated mode ignores PYTHONHASHSEED, and randomized string hashing changes
    # dict probe counts from run to run (measured: 124 of 193 .gcda files differed between
    # two training runs with -I, 18 without). The environment is empty anyway.
    "PROFILE_TASK=-S -s $work/pgo_training.py"
    # run_profile_task alone uses LLVM_PROF_FILE (empty with gcc) as its command prefix. The
    # counts of the build's own runs of the instrumented interpreter (setup.py's parallel
    # compiles, sysconfig) are dropped first: only the training run makes the profile.
    "LLVM_PROF_FILE=find . -name '*.gcda' -delete && env -i PYTHONHASHSEED=0 LC_ALL=C TZ=UTC setarch $(uname -m) -R"
  )
elif [[ -n "$lto_compile" ]]; then
  make_args+=("CFLAGS_NODIST=$lto_compile")
fi

# glibc has flock(); libbsd must not be linked for it.
cache_vars=(ac_cv_lib_bsd_flock=no)
IFS=, read -r -a disabled <<<"${arg[disabled]:-}"
for module in "${disabled[@]}"; do
  [[ -n "$module" ]] && cache_vars+=("py_cv_module_${module}=n/a")
done

# Library flags configure takes as given instead of searching: without pkg-config, the
# search would accept the host's shared libncurses for a static libncursesw needing -ltinfo,
# and reject libedit for the same reason (3.12 and later; 3.11 ignores these).
lib_vars=(
  CURSES_CFLAGS="-I$deps/include/ncursesw -D_XOPEN_SOURCE_EXTENDED=1" CURSES_LIBS="-lncursesw -ltinfo"
  PANEL_CFLAGS="-I$deps/include/ncursesw" PANEL_LIBS="-lpanelw"
  LIBEDIT_CFLAGS="" LIBEDIT_LIBS="-ledit -ltinfo"
)

log "configure ${configure_args[*]} ${cache_vars[*]}"
if ! env CC="$cc" LIBS="-lm" CFLAGS="$cflags" LDFLAGS="$ldflags" MODULE_BUILDTYPE=static \
    "${lib_vars[@]}" "${cache_vars[@]}" ./configure "${configure_args[@]}" >&3 2>&1; then
  echo "build_cpython: configure failed; the end of config.log:" >&2
  tail -40 config.log >&2
  exit 1
fi

# CPython 3.11 on Linux builds Modules/Setup.stdlib's modules through setup.py as shared
# objects; the same lines in Setup.local build them into libpython. setup.py alone knows
# _ctypes, _curses, _curses_panel and readline: their lines are written here. From 3.12 on,
# Setup.stdlib lists every module and MODULE_BUILDTYPE=static puts them in libpython.
setup=Modules/Setup.stdlib
if [[ "$version" == 3.11 ]]; then
setup=Modules/Setup.local
{
  echo '*static*'
  sed -n '/^\*shared\*/q;p' Modules/Setup.stdlib | grep -v -E '^\*static\*|^(_test|_xxtestfuzz)'
  echo '_ctypes _ctypes/_ctypes.c _ctypes/callbacks.c _ctypes/callproc.c _ctypes/stgdict.c _ctypes/cfield.c -DHAVE_FFI_PREP_CIF_VAR -DHAVE_FFI_PREP_CLOSURE_LOC -DHAVE_FFI_CLOSURE_ALLOC -lffi'
  echo "_curses _cursesmodule.c -DHAVE_NCURSESW -D_XOPEN_SOURCE_EXTENDED -I$deps/include/ncursesw -lncursesw -ltinfo"
  echo "_curses_panel _curses_panel.c -DHAVE_NCURSESW -D_XOPEN_SOURCE_EXTENDED -I$deps/include/ncursesw -lpanelw -lncursesw -ltinfo"
  echo 'readline readline.c -ledit -ltinfo'
} > Modules/Setup.local
fi
log "$setup: $(sed -n '/^\*shared\*/q;p' "$setup" | grep -vc '^[#*]') modules"

# A module whose library or header configure did not find is left out silently otherwise.
missing="$(sed -n 's/^MODULE_\([A-Z0-9_]*\)_STATE=missing$/\1/p' Makefile | tr 'A-Z\n' 'a-z ')"
if [[ -n "$missing" ]]; then
  echo "build_cpython: configure did not find the library or header of: $missing (see config.log)" >&2
  exit 1
fi

log "make"
if ! make -j"$jobs" "${make_args[@]}" >&3 2>&1; then
  echo "build_cpython: make failed; its last lines:" >&2
  tail -60 "$out_log" >&2
  exit 1
fi

# Only the C library is linked dynamically: a module that configure linked against a library
# outside deps (the host's) would make the interpreter need it.
foreign="$("$readelf" -d python | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' |
  grep -v -E '^(libc|libm|libdl|libpthread|librt|libutil)\.so' || true)"
if [[ -n "$foreign" ]]; then
  echo "build_cpython: the interpreter links shared libraries that are not in $deps/lib:" $foreign >&2
  exit 1
fi

# Every module of the static section of $setup must be built in.
missing="$(./python -I -S -c '
import sys
names = set(sys.builtin_module_names)
wanted = []
for line in open(sys.argv[1]):
    if line.startswith("*shared*"):
        break
    if line.strip() and line[0] not in "#*":
        wanted.append(line.split()[0])
print(" ".join(n for n in wanted if n not in names))' "$setup")"
if [[ -n "$missing" ]]; then
  echo "build_cpython: not built in (a library or header was not found; see config.log): $missing" >&2
  exit 1
fi

mkdir -p "$out_stdlib" "$(dirname "$out_interpreter")"
# The standard library as sources (no bytecode: rules compile what they embed), without the
# test suites, plus the build's generated modules.
cp -R Lib/. "$out_stdlib"
(cd "$out_stdlib" && rm -rf test ./*/test ./*/tests idlelib/idle_test &&
  find . -name __pycache__ -prune -exec rm -rf {} + && find . -name '*.pyc' -delete)
cp "$(cat pybuilddir.txt)"/_sysconfigdata_*.py "$out_stdlib/"
# Paths of the action's sandbox in the build configuration are not part of the result.
sed -i -e "s|$work|/oxidizer/cpython|g" -e "s|$execroot|/oxidizer/execroot|g" "$out_stdlib"/_sysconfigdata_*.py
# getpath looks for lib-dynload to set sys.exec_prefix (and warns without it); all
# extension modules are built in, so it holds only this note.
mkdir -p "$out_stdlib/lib-dynload"
echo "Every extension module of this CPython is built in." > "$out_stdlib/lib-dynload/README.txt"
cp python "$out_interpreter"
cp pyconfig.h "$out_pyconfig"

# libpython as an archive of separately linkable members (split_libpython.py): the core, and
# one LTO-linked object per group of extension modules with the bundled (libmpdec, expat,
# HACL*) and third-party libraries it needs, so that a binary links only the extension
# modules its inittab names. Only CPython's API and the init functions stay global, so that
# an extension module bringing its own OpenSSL or SQLite does not bind to ours.
log "split"
split_args=(--cc="$cc" --out_archive="$out_archive" --out_inittab="$out_inittab"
  --deps_lib="$work/deps/lib" --jobs="$jobs")
[[ "${arg[lto]:-0}" == 1 ]] && split_args+=(--lto_flag=-flto="$jobs" --lto_flag=-flinker-output=nolto-rel)
for flag in $prefix_map; do split_args+=(--prefix_map="$flag"); done
for archive in Modules/_decimal/libmpdec/libmpdec.a Modules/expat/libexpat.a \
  Modules/_hacl/libHacl_Hash_SHA2.a; do
  if [[ -f "$archive" ]]; then split_args+=(--bundled="$archive"); fi
done
if ! ./python -I -S "$splitter" "${split_args[@]}" >&3 2>&1; then
  echo "build_cpython: splitting libpython failed; the end of the log:" >&2
  tail -30 "$out_log" >&2
  exit 1
fi
"$objcopy" --strip-debug "$out_interpreter"
log "done"
