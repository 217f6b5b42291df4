"""Repository rules for PyPI wheels: the `oxidizer_pip_parse` hub and one repository per wheel.

The work is done at fetch time by `tools/oxidizer_tools/pypi/repo.py`, run by the embedded
distribution's own interpreter (standard library and pip only), so that wheels are chosen
for that interpreter's version, ABI and platform, and pip uses the user's configuration.
"""

# Every module repo.py imports: resolving them makes each a dependency of the repositories.
_SCRIPTS = [
    "//tools:oxidizer_tools/__init__.py",
    "//tools:oxidizer_tools/pypi/__init__.py",
    "//tools:oxidizer_tools/pypi/_packaging.py",
    "//tools:oxidizer_tools/pypi/lockfile.py",
    "//tools:oxidizer_tools/pypi/repo.py",
    "//tools:oxidizer_tools/pypi/target.py",
    "//tools:oxidizer_tools/pypi/wheel.py",
]

# What repo.py imports of the runtime's support package: the one definition of a safe
# relative path (wheel.py checks member names with it).
_SUPPORT_SCRIPTS = [
    "//runtime/python:_oxidized_importer/__init__.py",
    "//runtime/python:_oxidized_importer/paths.py",
]

# Its arguments: the directory of oxidizer_tools, the directory of _oxidized_importer, then repo.py's.
_RUN = "import sys; sys.path[:0] = [sys.argv.pop(1), sys.argv.pop(1)]; from oxidizer_tools.pypi.repo import main; sys.exit(main(sys.argv[1:]))"

def normalize_name(name):
    """rules_python's hub name of a project: lowercase, runs of `-`, `_`, `.` become one `_`.

    The Starlark twin of `normalize()` in tools/oxidizer_tools/pypi/lockfile.py (generated
    requirements.bzl files call it; the repository rules use the Python one).

    Args:
      name: a project name as written anywhere (`Markdown-It.py`).

    Returns:
      The normalized name (`markdown_it_py`).
    """
    out = name.lower().replace("-", "_").replace(".", "_")
    for _ in range(len(out)):
        if "__" not in out:
            break
        out = out.replace("__", "_")
    return out

def _run_repo_py(rctx, python, args, what):
    paths = [rctx.path(Label(s)) for s in _SCRIPTS]
    tools_dir = str(paths[0].dirname.dirname)
    support = [rctx.path(Label(s)) for s in _SUPPORT_SCRIPTS]
    support_dir = str(support[0].dirname.dirname)

    # -B: no __pycache__ in rules_oxidizer's tree; -s -E: no user site or PYTHON* variables.
    result = rctx.execute(
        [python, "-B", "-s", "-E", "-c", _RUN, tools_dir, support_dir] + args,
        timeout = rctx.attr.timeout,
        quiet = rctx.attr.quiet,
    )
    if result.return_code != 0:
        fail("%s: %s" % (what, (result.stderr or result.stdout).strip()))

def _distribution_labels(distribution):
    repo = distribution if distribution.startswith("@") else "@" + distribution
    return Label(repo + "//:python"), Label(repo + "//:metadata.json")

def _pip_parse_impl(rctx):
    python, metadata = _distribution_labels(rctx.attr.python_distribution)
    lock_label = str(rctx.attr.requirements_lock)
    if lock_label.startswith("@//"):
        lock_label = lock_label[1:]
    rctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % rctx.attr.name)
    _run_repo_py(rctx, rctx.path(python), [
        "hub",
        "--metadata",
        str(rctx.path(metadata)),
        "--lock",
        str(rctx.path(rctx.attr.requirements_lock)),
        "--lock-label",
        lock_label,
        "--hub",
        rctx.attr.name,
        "--python-label",
        str(python),
        "--metadata-label",
        str(metadata),
        "--out",
        str(rctx.path("")),
    ], "oxidizer_pip_parse(name = \"%s\")" % rctx.attr.name)

_COMMON_ATTRS = {
    "quiet": attr.bool(default = True, doc = "Hide pip's output unless it fails."),
    "timeout": attr.int(default = 900, doc = "Seconds allowed for one fetch (pip download and, for an sdist, its build)."),
}

oxidizer_pip_parse = repository_rule(
    implementation = _pip_parse_impl,
    doc = """A hub of PyPI projects pinned by a lock file, for WORKSPACE users (Bazel 4+).

```starlark
load("@rules_oxidizer//oxidizer:pip.bzl", "oxidizer_pip_parse")
oxidizer_pip_parse(name = "pypi", requirements_lock = "//:requirements_lock.txt")
load("@pypi//:requirements.bzl", "install_deps")
install_deps()
```

Then `deps = ["@pypi//rich"]` (`@<name>//<normalized project name>`, as rules_python's hub;
`:pkg`, `:whl` and `:dist_info` too). `@pypi//:requirements.bzl` also has `requirement(name)`,
`whl_requirement(name)`, `all_requirements` and `all_whl_requirements`.

The lock is a hashed requirements file (`name==version --hash=sha256:...`, as
`bazel run //:oxidizer -- lock`, pip-compile and uv write it) or a PEP 751 `pylock.toml`.
Markers are evaluated for the distribution's interpreter; a requirement without a hash is an
error. `install_deps()` declares one repository per locked project, `<name>_<project>`, which
downloads its wheel with the distribution interpreter's pip (the user's pip configuration:
index, mirrors, credentials; hashes enforced), chosen for that interpreter's version, ABI and
platform tags, and installs it per the wheel spec. Dependencies come from the wheel's
`Requires-Dist`, with the extras written on the lock line (`black[d]==...`).""",
    attrs = dict(_COMMON_ATTRS, **{
        "python_distribution": attr.string(
            default = "@oxidizer_python",
            doc = "The `oxidizer_python_distribution` repository the wheels are for: its `metadata.json` gives the target tags and marker environment, its `python` runs pip.",
        ),
        "requirements_lock": attr.label(
            allow_single_file = True,
            mandatory = True,
            doc = "The lock: a hashed requirements file, or a PEP 751 `pylock.toml` (file name ending in `.toml`).",
        ),
    }),
)

def _whl_repository_impl(rctx):
    rctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % rctx.attr.name)
    project = json.encode({
        "extras": rctx.attr.extras,
        "hashes": rctx.attr.hashes,
        "name": rctx.attr.project,
        "version": rctx.attr.version,
    })
    _run_repo_py(rctx, rctx.path(rctx.attr.python), [
        "wheel",
        "--metadata",
        str(rctx.path(rctx.attr.metadata)),
        "--hub",
        rctx.attr.hub,
        "--lock-label",
        rctx.attr.lock,
        "--project",
        project,
        "--out",
        str(rctx.path("")),
    ], "oxidizer_pip_parse(name = \"%s\"): %s" % (rctx.attr.hub, rctx.attr.project))

oxidizer_whl_repository = repository_rule(
    implementation = _whl_repository_impl,
    doc = "One locked project's wheel, installed per the wheel spec (declared by a hub's `install_deps()`).",
    attrs = dict(_COMMON_ATTRS, **{
        "extras": attr.string_list(doc = "Extras requested on the lock line."),
        "hashes": attr.string_list(mandatory = True, doc = "`sha256:<hex>` hashes pip enforces."),
        "hub": attr.string(mandatory = True, doc = "The hub's name (labels of dependencies, messages)."),
        "lock": attr.string(mandatory = True, doc = "The lock file's label, for messages (not its line: moving a line must not re-fetch)."),
        "metadata": attr.label(mandatory = True, allow_single_file = True, doc = "The distribution's metadata.json."),
        "project": attr.string(mandatory = True, doc = "The project's name as locked."),
        "python": attr.label(mandatory = True, allow_single_file = True, doc = "The distribution's interpreter."),
        "version": attr.string(mandatory = True, doc = "The pinned version."),
    }),
)

def _unavailable_impl(ctx):
    fail(ctx.attr.message)

oxidizer_unavailable = rule(
    implementation = _unavailable_impl,
    doc = "A target that fails with `message` when analyzed (a wheel whose dependency is not locked).",
    attrs = {"message": attr.string(mandatory = True)},
)
