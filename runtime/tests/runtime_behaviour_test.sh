#!/bin/bash
# Runs the runtime's test programs (built by runtime_behaviour_test in
# runtime/tests/runtime_test.bzl) and checks their behaviour.
# Usage: runtime_behaviour_test.sh FILES APP_BLOB NAME=PROGRAM... -- [LIB_DYNLOAD_FILE...]
# (runfiles-relative paths; NAME is probe, hello, command, ...).
# Needs strace for the file-access checks (skipped when missing).
set -u -o pipefail

cd "${TEST_SRCDIR:?run me with bazel test}/${TEST_WORKSPACE:?}" || exit 1
FILES=$(pwd)/$1
APP_BLOB=$(pwd)/$2
shift 2
WORK=$(mktemp -d "${TEST_TMPDIR:-/tmp}/runtime_test.XXXXXX")

PASS=0
FAIL=0
pass() { PASS=$((PASS + 1)); echo "ok   $1"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     | /'; }

# matches TEXT REGEX: "" matches anything, "^$" only empty text; otherwise
# an extended regex over the whole text (newlines included).
matches() {
    case $2 in
    "") return 0 ;;
    "^$") [ -z "$1" ] ;;
    *) printf '%s' "$1" | grep -qzE -- "$2" ;;
    esac
}

# expect NAME WANT_RC WANT_STDOUT_REGEX WANT_STDERR_REGEX -- CMD...
expect() {
    local name=$1 want_rc=$2 want_out=$3 want_err=$4
    shift 5
    local out err rc
    out=$("$@" 2>"$WORK/stderr") && rc=0 || rc=$?
    err=$(cat "$WORK/stderr")
    if [ "$rc" != "$want_rc" ]; then
        fail "$name" "rc=$rc (want $want_rc)"$'\n'"stdout: $out"$'\n'"stderr: $err"
    elif ! matches "$out" "$want_out"; then
        fail "$name" "stdout did not match /$want_out/: $out"$'\n'"stderr: $err"
    elif ! matches "$err" "$want_err"; then
        fail "$name" "stderr did not match /$want_err/: $err"
    else
        pass "$name"
    fi
}

# The programs, copied into one directory with the files they find next to them:
# runtime_test_files/ (test extension modules, filesystem-relative resources) and
# lib-dynload/ (the distribution's extension modules, which the stdlib blob names by
# relative path; absent when the distribution has them built in).
echo "== setting up $WORK"
while [ $# -gt 0 ] && [ "$1" != -- ]; do
    cp "${1#*=}" "$WORK/${1%%=*}" || exit 1
    shift
done
[ $# -gt 0 ] && shift
cp -r "$FILES" "$WORK/runtime_test_files" && chmod -R u+w "$WORK/runtime_test_files" || exit 1
LIB_DYNLOAD=
for so in "$@"; do
    [ -n "$so" ] && LIB_DYNLOAD=$(cd "$(dirname "$so")" && pwd)
done
if [ -n "$LIB_DYNLOAD" ]; then
    ln -sfn "$LIB_DYNLOAD" "$WORK/lib-dynload"
fi
EXT=$WORK/runtime_test_files
SUFFIX=$(cd "$EXT" && ls runtime_test_both.*) && SUFFIX=${SUFFIX#runtime_test_both} || exit 1

P=$WORK/probe
cd "$WORK" || exit 1
echo "== running"

expect hello 0 '^hello world$' '' -- "$WORK/hello"
expect argv-passthrough 0 "^\['$P', 'import sys; print\(sys.argv\)', '-c', '--x', 'a b'\]$" '' \
    -- "$P" 'import sys; print(sys.argv)' -c --x 'a b'
expect exit-code-int 3 '^$' '^$' -- "$P" 'import sys; sys.exit(3)'
expect exit-code-none 0 '^$' '^$' -- "$P" 'import sys; sys.exit()'
expect exit-code-str 1 '^$' '^msg$' -- "$P" 'raise SystemExit("msg")'
expect exit-code-big 255 '^$' '' -- "$P" 'raise SystemExit(255)'
expect uncaught-exception 1 '^before$' \
    'Traceback \(most recent call last\):.*runtime_test_raises.*ValueError: boom from runtime_test_raises' \
    -- "$P" 'print("before"); import runtime_test_raises; runtime_test_raises.boom()'
expect excepthook-used 1 '^$' '^custom ValueError$' \
    -- "$P" 'import sys; sys.excepthook = lambda t, v, tb: print("custom", t.__name__, file=sys.stderr); raise ValueError'
expect stdin-stdout 0 '^got: line one$' '' \
    -- bash -c "echo 'line one' | '$P' 'print(\"got:\", input())'"
expect stdout-flush-failure 120 '' 'Exception ignored' \
    -- bash -c "'$P' 'print(\"x\" * 10)' >/dev/full"
expect keyboard-interrupt 0 '' 'KeyboardInterrupt.rc=130' \
    -- bash -c "'$P' 'raise KeyboardInterrupt'; echo rc=\$? >&2"
expect main-attrs 0 "^__main__ None True False$" '' \
    -- "$P" 'import sys; print(__name__, __spec__, type(__loader__).__name__ == "OxidizedFinder", "__file__" in globals())'
expect sys-flags 0 '^True True 0 \[.*/lib.\]$' '' \
    -- "$P" 'import sys; print(sys.frozen, sys.oxidized, sys.flags.optimize, sys.path)'
expect meta-path 0 "^\['OxidizedFinder'\] built-in frozen$" '' \
    -- "$P" 'import sys, _blake2; f = sys.meta_path[0]; print([getattr(f, "__name__", type(f).__name__) for f in sys.meta_path], f.find_spec("_io", None).origin, f.find_spec("os", None).origin)'
expect encodings-from-finder 0 '^True True$' '' \
    -- "$P" 'import sys; e = sys.modules["encodings"]; print(e.__spec__.loader is sys.meta_path[0], hasattr(e, "__file__") is False)'
expect package 0 "^42 pkg.mod \['$P/runtime_test_pkg'\] False$" '' \
    -- "$P" 'import runtime_test_pkg.sub as s, runtime_test_pkg.mod as m, runtime_test_pkg as p; print(s.VALUE, m.VALUE, p.__path__, hasattr(p, "__file__"))'
expect module-builtins 0 "^True 2001$" '' \
    -- "$P" 'import runtime_test_pkg as p, _strptime, time; print("__builtins__" in vars(p), time.strptime("2001", "%Y").tm_year)'
expect namespace-package 0 "^ns.inner ns.deep.leaf \['$P/runtime_test_ns'\] None$" '' \
    -- "$P" 'import runtime_test_ns.inner as i, runtime_test_ns.deep.leaf as l, runtime_test_ns as n; print(i.VALUE, l.VALUE, n.__path__, n.__spec__.origin)'
expect source-only-module 0 '^café$' '' -- "$P" 'import runtime_test_srconly as m; print(m.VALUE)'
expect relative-source-module 0 "^relsrc.py $WORK/runtime_test_files/relsrc.py$" '' \
    -- "$P" 'import runtime_test_relsrc as r; print(r.VALUE, r.__file__)'
expect relative-bytecode-module 0 "^relpyc $WORK/runtime_test_files/relpyc.pyc SourcelessFileLoader$" '' \
    -- "$P" 'import runtime_test_relpyc as r; print(r.VALUE, r.__file__, type(r.__loader__).__name__)'
# files() and the legacy importlib.resources API go through the Python half of
# oxidized_importer (runtime/python), embedded in the app blob.
expect resources-files 0 $'^hello from data.txt\n \\[0, 1, 2, 3, 4, 5, 6, 7\] hello ondisk$' '' \
    -- "$P" 'import importlib.resources as r; f = r.files("runtime_test_pkg"); print(f.joinpath("data.txt").read_text(), list(f.joinpath("sub/nested.bin").read_bytes()), f.joinpath("ondisk.txt").read_text().strip())'
expect resources-tree 0 "^\['__init__.py', 'data.txt', 'mod.py', 'ondisk.txt', 'sub'\] \['__init__.py', 'deeper', 'helper.py', 'nested.bin'\] leaf True False False PosixPath$" '' \
    -- "$P" '
import importlib.resources as r
f = r.files("runtime_test_pkg")
print(sorted(x.name for x in f.iterdir()), sorted(x.name for x in (f / "sub").iterdir()),
      (f / "sub" / "deeper/leaf.txt").read_text().strip(), f.joinpath("sub", "deeper").is_dir(),
      (f / "nope").is_file(), (f / "nope").is_dir(), type(f / "ondisk.txt").__name__)'
# contents() returns a list in 3.11 and an iterator in 3.13.
expect resources-legacy 0 "^hello from data.txt True False \['__init__.py', 'data.txt', 'mod.py', 'ondisk.txt', 'sub'\] b'\\\\x00\\\\x01' gone$" '' \
    -- "$P" '
import importlib.resources as r, os, warnings
warnings.simplefilter("ignore", DeprecationWarning)
with r.path("runtime_test_pkg", "data.txt") as p:
    text = open(p).read().strip()
print(text, r.is_resource("runtime_test_pkg", "data.txt"), r.is_resource("runtime_test_pkg", "sub"),
      list(r.contents("runtime_test_pkg")), r.files("runtime_test_pkg").joinpath("sub/nested.bin").open("rb").read(2),
      "gone" if not os.path.exists(p) else "left")'
expect resources-missing 0 "^FileNotFoundError $P/runtime_test_pkg/nope.txt$" '' \
    -- "$P" '
import importlib.resources as r
try:
    (r.files("runtime_test_pkg") / "nope.txt").read_bytes()
except FileNotFoundError as e:
    print(type(e).__name__, e.filename)'
expect resources-namespace 0 "^\['deep', 'inner.py'\] True$" '' \
    -- "$P" 'import importlib.resources as r; f = r.files("runtime_test_ns"); print([x.name for x in f.iterdir()], (f / "deep").is_dir())'
expect indexed-resources 0 "^OxidizedResource True True False \['data.txt', 'sub/nested.bin'\] \{'ondisk.txt': PosixPath\('runtime_test_files/ondisk.txt'\)\} runtime_test_files/relsrc.py True None$" '' \
    -- "$P" '
import sys, oxidized_importer as o
res = {r.name: r for r in sys.meta_path[0].indexed_resources()}
p, rel = res["runtime_test_pkg"], res["runtime_test_relsrc"]
print(type(p).__name__, p.is_package, p.is_module, p.is_namespace_package, sorted(p.in_memory_package_resources),
      p.relative_path_package_resources, rel.relative_path_module_source, isinstance(p, o.OxidizedResource), o.OxidizedResource().in_memory_source)'
expect index-bytes 0 "^hello world[[:space:]]+\['hello', 'runtime_test_main'\] ValueError: error parsing packed resources$" '' \
    -- "$P" '
import oxidized_importer, sys
f = oxidized_importer.OxidizedFinder()
f.index_bytes(bytearray(open(sys.argv[2], "rb").read()))
exec(f.get_code("hello"))
names = sorted(r.name for r in f.indexed_resources())
try:
    f.index_bytes(b"pyembed\x03junk")
except ValueError as e:
    err = str(e).split(":")[0]
print([n for n in names if n in ("hello", "runtime_test_main")], "ValueError:", err)' "$APP_BLOB"
expect pkgutil-walk 0 "^\[\('mod', False\), \('sub', True\)\] \['runtime_test_pkg.mod', 'runtime_test_pkg.sub', 'runtime_test_pkg.sub.helper'\] \['runtime_test_ns.deep', 'runtime_test_ns.deep.leaf', 'runtime_test_ns.inner'\]$" '' \
    -- "$P" '
import pkgutil, runtime_test_pkg as p, runtime_test_ns as n
print([(m.name, m.ispkg) for m in pkgutil.iter_modules(p.__path__)],
      [m.name for m in pkgutil.walk_packages(p.__path__, p.__name__ + ".")],
      [m.name for m in pkgutil.walk_packages(n.__path__, "runtime_test_ns.")])'
expect path-hook 0 "^OxidizedPathEntryFinder runtime_test_pkg None ImportError True runtime_test_pkg.sub None$" '' \
    -- "$P" '
import sys
f = sys.meta_path[0]
e = f.path_hook(sys.executable + "/runtime_test_pkg")
top = f.path_hook(sys.executable)
try:
    f.path_hook("/etc")
except ImportError as x:
    err = type(x).__name__
print(type(e).__name__, e._package, top._package, err, f.path_hook in sys.path_hooks,
      e.find_spec("runtime_test_pkg.sub").name, e.find_spec("hello"))'
expect finder-api 0 "^True None $WORK True$" '' \
    -- "$P" '
import sys, oxidized_importer as o
f = sys.meta_path[0]
print(f.find_module("hello") is f, f.find_module("nope"), f.origin, o.OxidizedPathEntryFinder is type(f.path_hook(sys.executable)))'
expect resource-reader 0 "^\['data.txt', 'sub/nested.bin', 'ondisk.txt'\] True False FileNotFoundError $WORK/runtime_test_files/ondisk.txt$" '' \
    -- "$P" '
import runtime_test_pkg as p
rr = p.__loader__.get_resource_reader("runtime_test_pkg")
try:
    rr.resource_path("data.txt")
except FileNotFoundError as e:
    err = type(e).__name__
print(rr.contents(), rr.is_resource("sub/nested.bin"), rr.is_resource("nope"), err, rr.resource_path("ondisk.txt"))'
expect get-data 0 "^b'hello from data.txt\\\\n' b'hello ondisk\\\\n' FileNotFoundError$" '' \
    -- "$P" '
import sys, os
f = sys.meta_path[0]
a = f.get_data(sys.executable + "/runtime_test_pkg/data.txt")
b = f.get_data(os.path.dirname(sys.executable) + "/runtime_test_pkg/ondisk.txt")
try:
    f.get_data("/etc/passwd")
except FileNotFoundError as e:
    print(a, b, type(e).__name__)'
expect loader-api 0 "^True False module docstring VALUE = 'pkg'$" '' \
    -- "$P" '
import sys
f = sys.meta_path[0]
print(f.is_package("runtime_test_pkg"), f.is_package("hello"), f.get_code("runtime_test_doc").co_consts[0], f.get_source("runtime_test_pkg").strip())'
expect compiled-module-wins 0 "^ext runtime_test_both ExtensionFileLoader $EXT/runtime_test_both$SUFFIX ext runtime_test_bothmem OxidizedFinder False None None False$" '' \
    -- "$P" '
import sys, runtime_test_both as b, runtime_test_bothmem as m
f = sys.meta_path[0]
print(b.VALUE, type(b.__loader__).__name__, b.__file__, m.VALUE, type(m.__loader__).__name__, hasattr(m, "__file__"),
      f.get_code("runtime_test_bothmem"), f.get_source("runtime_test_bothmem"), f.is_package("runtime_test_both"))'
expect compiled-package 0 "^ext runtime_test_extpkg \['$EXT/runtime_test_extpkg'\] runtime_test_extpkg.sub ext runtime_test_extpkgmem \['$P/runtime_test_extpkgmem'\] runtime_test_extpkgmem.sub True \[\('sub', False\)\]$" '' \
    -- "$P" '
import sys, pkgutil, runtime_test_extpkg as p, runtime_test_extpkg.sub as s, runtime_test_extpkgmem as pm, runtime_test_extpkgmem.sub as sm
print(p.VALUE, p.__path__, s.VALUE, pm.VALUE, pm.__path__, sm.VALUE, sys.meta_path[0].is_package("runtime_test_extpkgmem"),
      [(i.name, i.ispkg) for i in pkgutil.iter_modules(pm.__path__)])'
# filesystem-extracted (runtime_test_xpkg): extracted on first use to a per-user cache
# directory named by the payload's SHA-256, reused later, imported with a real __file__.
XPROBE='
import runtime_test_xpkg as x, runtime_test_xpkg.mod as m, runtime_test_xpkg.ext as e, os
print(x.DATA, x.__file__, m.__file__, e.__file__, e.VALUE, x.__path__ == [os.path.dirname(x.__file__)],
      type(x.__loader__).__name__, type(e.__loader__).__name__, x.__spec__.cached, m.__loader__.get_source("runtime_test_xpkg.mod").strip(),
      m.__loader__.get_data(os.path.join(x.__path__[0], "data.txt")))'
H='[0-9a-f]{64}'
XOUT="^extracted data (DIR)/runtime_test_xpkg/__init__.py (DIR)/runtime_test_xpkg/mod.py (DIR)/runtime_test_xpkg/ext$SUFFIX ext runtime_test_xpkg.ext True OxidizedFinder ExtensionFileLoader None VALUE = 'xmod' b'extracted data\\\\n'$"
rm -rf "$WORK/xdg" "$WORK/home" "$WORK/tmp" "$WORK/tmpbad" "$WORK/conc"
expect extracted-xdg 0 "${XOUT//(DIR)/$WORK/xdg/rules_oxidizer/$H}" '' -- env XDG_CACHE_HOME="$WORK/xdg" "$P" "$XPROBE"
XDIR=$(ls -d "$WORK"/xdg/rules_oxidizer/*/)
if [ "$(ls -A "$WORK/xdg/rules_oxidizer")" = "$(basename "$XDIR")" ] && [ -f "$XDIR/.rules_oxidizer-complete" ]; then
    pass extracted-one-complete-directory
else
    fail extracted-one-complete-directory "$(ls -laR "$WORK/xdg")"
fi
# Reused, not re-extracted: an edit of the extracted file shows through.
echo "edited data" >"$XDIR/runtime_test_xpkg/data.txt"
expect extracted-reused 0 '^edited data$' '' -- env XDG_CACHE_HOME="$WORK/xdg" "$P" 'import runtime_test_xpkg as x; print(x.DATA)'
expect extracted-home 0 "${XOUT//(DIR)/$WORK/home/.cache/rules_oxidizer/$H}" '' -- env -u XDG_CACHE_HOME HOME="$WORK/home" "$P" "$XPROBE"
UID_=$(id -u)
mkdir -p "$WORK/tmp"
expect extracted-tmp-fallback 0 "${XOUT//(DIR)/$WORK/tmp/rules_oxidizer-$UID_/$H}" '' -- env -u XDG_CACHE_HOME -u HOME TMPDIR="$WORK/tmp" "$P" "$XPROBE"
if [ "$(stat -c %a "$WORK/tmp/rules_oxidizer-$UID_")" = 700 ]; then
    pass extracted-tmp-private
else
    fail extracted-tmp-private "$(stat -c %a "$WORK/tmp/rules_oxidizer-$UID_")"
fi
mkdir -p "$WORK/tmpbad/rules_oxidizer-$UID_" && chmod 777 "$WORK/tmpbad/rules_oxidizer-$UID_"
expect extracted-tmp-unsafe 1 '^$' "ImportError: cannot extract the files of runtime_test_xpkg: cannot use $WORK/tmpbad/rules_oxidizer-$UID_: writable by other users \(mode 0777\)" \
    -- env -u XDG_CACHE_HOME -u HOME TMPDIR="$WORK/tmpbad" "$P" 'import runtime_test_xpkg'
expect extracted-nowhere 1 '^$' "ImportError: cannot extract the files of runtime_test_xpkg: cannot create /proc/rules_oxidizer[^;]*; fallback: cannot create /proc/rules_oxidizer-$UID_" \
    -- env XDG_CACHE_HOME=/proc TMPDIR=/proc "$P" 'import runtime_test_xpkg'
expect extracted-corrupt 1 '^$' "ImportError: cannot extract the files of runtime_test_xpkg: corrupted extraction payload: its SHA-256 is $H, not $H" \
    -- env XDG_CACHE_HOME="$WORK/xdgcorrupt" "$WORK/corrupt_payload" 'import runtime_test_xpkg'
# Concurrent first runs: all succeed, one directory, no temporary directory left.
for i in 1 2 3 4 5 6; do
    env XDG_CACHE_HOME="$WORK/conc" "$P" 'import runtime_test_xpkg as x, runtime_test_xpkg.ext; print(x.DATA)' >"$WORK/conc.$i" 2>&1 &
done
wait
if [ "$(cat "$WORK"/conc.[1-6] | sort | uniq -c | sed 's/^ *//')" = "6 extracted data" ] \
    && [ "$(ls -A "$WORK/conc/rules_oxidizer" | wc -l)" = 1 ]; then
    pass extracted-concurrent
else
    fail extracted-concurrent "$(cat "$WORK"/conc.[1-6]; ls -la "$WORK/conc/rules_oxidizer")"
fi
expect unknown-module 1 '' "ModuleNotFoundError: No module named 'no_such_module'" \
    -- "$P" 'import no_such_module'
# The distribution's extension modules: from lib-dynload/ when it has one, else built in.
if [ -e "$WORK/lib-dynload/_decimal$SUFFIX" ]; then
    EXT_FROM="$WORK/lib-dynload/_decimal$SUFFIX ExtensionFileLoader ExtensionFileLoader"
else
    EXT_FROM="built-in BuiltinImporter BuiltinImporter"
fi
expect extension-modules 0 "^$EXT_FROM 2.1 \{\"a\": \[1\]\}$" '' \
    -- "$P" '
import _decimal, _json, decimal, json
kind = lambda m: getattr(m.__spec__.loader, "__name__", type(m.__spec__.loader).__name__)
print(_decimal.__spec__.origin, kind(_decimal), kind(_json), decimal.Decimal("1.1") + 1, json.dumps({"a": [1]}))'
expect builtin-not-shadowed 0 "^BuiltinImporter$" '' \
    -- "$P" 'import sys, math; print(math.__spec__.loader.__name__)'
expect command-mode 0 "^cmd __main__ \['x', 'y'\]$" '' -- "$WORK/command" x y
expect module-mode 0 "^modmain __main__ runtime_test_modmain \['x'\]$" '' -- "$WORK/module" x
expect repl-stdin 0 "^from stdin 5$" '' -- bash -c "echo 'print(\"from stdin\", 2 + 3)' | '$WORK/repl'"
expect repl-stdin-exit 4 '' '' -- bash -c "echo 'import sys; sys.exit(4)' | '$WORK/repl'"
expect fs-importer-kept 0 "^True$" '' \
    -- "$WORK/fsimporter" 'import sys; print(any(getattr(f, "__name__", "") == "PathFinder" for f in sys.meta_path))'
expect optimize-2 0 "^2 None True$" '' \
    -- "$WORK/opt2" 'import sys, runtime_test_doc as d; print(sys.flags.optimize, d.__doc__, d.f() is None)'
expect site-import 0 "^True$" '' -- "$WORK/site" 'import sys; print("site" in sys.modules)'
expect corrupt-blob 1 '^$' "^$WORK/corrupt: corrupt packed resources \"app\": [^[:cntrl:]]+$" -- "$WORK/corrupt"
expect oxidized-finder-from-python 0 "^hello world$" '' \
    -- "$P" '
import oxidized_importer, sys
data = open(sys.argv[2], "rb").read()
f = oxidized_importer.OxidizedFinder(data)
code = f.get_code("hello")
exec(code)' "$APP_BLOB"

# A few dozen stdlib modules, all from the blob.
MODS="abc argparse ast asyncio base64 bisect calendar collections contextlib copy csv dataclasses datetime decimal difflib email.message enum fnmatch fractions functools glob gzip hashlib heapq html.parser http.client inspect io ipaddress itertools json logging operator os pathlib pickle pprint queue random re shlex shutil socket statistics string struct subprocess tarfile tempfile textwrap threading timeit tokenize traceback types typing unittest urllib.parse uuid warnings weakref xml.etree.ElementTree zipfile zoneinfo"
expect stdlib-imports 0 '^all good$' '' -- "$P" '
import importlib, sys
bad = []
for name in sys.argv[2].split():
    m = importlib.import_module(name)
    loader = m.__spec__.loader
    if not (loader is sys.meta_path[0] or getattr(loader, "__name__", type(loader).__name__) in ("BuiltinImporter", "FrozenImporter", "ExtensionFileLoader")):
        bad.append((name, loader))
print(bad or "all good")' "$MODS"

if command -v strace >/dev/null; then
    strace -f -o "$WORK/strace.log" -e trace=file "$WORK/hello" >/dev/null 2>&1
    if grep -E '\.pyc?"' "$WORK/strace.log" >/dev/null; then
        fail no-py-files-opened "$(grep -E '\.pyc?"' "$WORK/strace.log")"
    else
        pass no-py-files-opened
    fi
    # Extraction is lazy: a run that imports nothing extracted touches no cache.
    strace -f -o "$WORK/strace_lazy.log" -e trace=file env XDG_CACHE_HOME="$WORK/lazy" "$P" 'import runtime_test_pkg' >/dev/null 2>&1
    lazy_hits() { grep -v execve "$WORK/strace_lazy.log" | grep -F -e "$WORK/lazy" -e .cache/rules_oxidizer -e /rules_oxidizer-; }
    if lazy_hits >/dev/null || [ -e "$WORK/lazy" ]; then
        fail extraction-is-lazy "$(lazy_hits)"
    else
        pass extraction-is-lazy
    fi
else
    echo "skip no-py-files-opened (no strace)"
fi

echo "== $PASS passed, $FAIL failed ($WORK)"
[ "$FAIL" = 0 ]
