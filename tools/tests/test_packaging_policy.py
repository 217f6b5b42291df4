"""Tests for the packaging policy in oxidizer_tools.classify: location routing,
distribution sources and resources, extension_module_filter, File resources, handling
modes and in-memory extension modules."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest

from oxidizer_tools import classify as cl
from oxidizer_tools import manifest_pb2
from oxidizer_tools.classify import ClassifyError, classify, route, specificity
from _oxidized_importer.locations import parse_location
from classify_run import run_classify
from elf_stub import SHARED_OBJECT_STUB

Kind = manifest_pb2.Resource.Kind
Loc = manifest_pb2.Location
TARGET = "//app:bin"
EXT = ".cpython-311-x86_64-linux-gnu.so"
STDLIB = "oxidizer_python/stdlib"
DYNLOAD = "oxidizer_python/stdlib/lib-dynload"


def policy(make_policy, **changes):
    base = make_policy(fallback="filesystem-relative:lib", extension_suffixes=(EXT, ".so"))
    for key in ("location", "fallback"):
        if isinstance(changes.get(key), str):
            changes[key] = parse_location(changes[key])
    if "resource_locations" in changes:
        changes["resource_locations"] = tuple((p, parse_location(v)) for p, v in changes["resource_locations"].items())
    return dataclasses.replace(base, **changes)


def placed(manifest: manifest_pb2.ResourceManifest) -> dict[tuple[str, str, str], str]:
    """(kind, name, resource_name) -> location string."""
    out = {}
    for r in manifest.resources:
        where = "in-memory" if r.location.kind == Loc.IN_MEMORY else f"filesystem-relative:{r.location.prefix}"
        out[(Kind.Name(r.kind), r.name, r.resource_name)] = where
    return out


def app_tree(tree) -> None:
    tree.add("ws/mypkg/__init__.py", "")
    tree.add("ws/mypkg/core.py", "X = 1\n")
    tree.add("ws/mypkg/data.txt", "data")
    tree.add(f"ws/mypkg/_speed{EXT}", SHARED_OBJECT_STUB)
    tree.add("ws/mypkg/sub/__init__.py", "")
    tree.add("ws/other/__init__.py", "")
    tree.add("ws/other/tests/__init__.py", "")
    tree.add("ws/six-1.16.0.dist-info/METADATA", "Name: six\n")
    tree.add("ws/six.py", "")


# --- specificity and route -------------------------------------------------------------


def test_specificity() -> None:
    assert specificity("mypkg") == (True, 5)
    assert specificity("mypkg.*") == (False, 6)
    assert specificity("*.tests") == (False, 6)
    assert specificity("a?c") == (False, 2)
    assert specificity("[ab]x") == (False, 1)
    assert specificity("[!ab]x") == (False, 1)
    assert specificity("[]]x") == (False, 1)
    assert specificity("[x") == (True, 2)  # no closing bracket: literal, as fnmatch
    assert specificity("mypkg") > specificity("mypkg.sub*") > specificity("mypkg.*")


def test_route_most_specific_wins_regardless_of_order() -> None:
    mem, lib = parse_location("in-memory"), parse_location("filesystem-relative:lib")
    overrides = [("*", mem), ("mypkg.*", lib), ("mypkg.sub", mem)]
    for order in (overrides, list(reversed(overrides))):
        assert route("mypkg.sub", order) == ("mypkg.sub", mem)
        assert route("mypkg.core", order) == ("mypkg.*", lib)
        assert route("zzz", order) == ("*", mem)
    assert route("mypkg", [("mypkg.*", lib)]) is None


def test_route_equal_specificity_same_location_is_fine() -> None:
    lib = parse_location("filesystem-relative:lib")
    assert route("mypkg.tests", [("mypkg.*", lib), ("*.tests", lib)]) == ("*.tests", lib)


def test_route_conflict() -> None:
    mem, lib = parse_location("in-memory"), parse_location("filesystem-relative:lib")
    with pytest.raises(cl.RouteConflict) as e:
        route("mypkg.tests", [("mypkg.*", lib), ("*.tests", mem)])
    assert {e.value.first[0], e.value.second[0]} == {"mypkg.*", "*.tests"}


# --- resource_locations in classify ----------------------------------------------------


def test_route_one_package_to_the_filesystem(tree, make_policy) -> None:
    app_tree(tree)
    p = policy(make_policy, resource_locations={"mypkg": "filesystem-relative:lib", "mypkg.*": "filesystem-relative:lib"})
    manifest = classify(tree.files, [], p, TARGET)
    got = placed(manifest)
    assert got[("MODULE", "mypkg", "")] == "filesystem-relative:lib"
    assert got[("MODULE", "mypkg.core", "")] == "filesystem-relative:lib"
    assert got[("MODULE", "mypkg.sub", "")] == "filesystem-relative:lib"
    assert got[("PACKAGE_RESOURCE", "mypkg", "data.txt")] == "filesystem-relative:lib"
    assert got[("EXTENSION_MODULE", "mypkg._speed", "")] == "filesystem-relative:lib"
    assert got[("MODULE", "other", "")] == "in-memory"
    assert got[("MODULE", "six", "")] == "in-memory"
    core = next(r for r in manifest.resources if r.name == "mypkg.core")
    assert core.install_path == "lib/mypkg/core.py"
    assert core.location_reason == "resource_locations['mypkg.*']"
    other = next(r for r in manifest.resources if r.name == "other")
    assert other.location_reason == "resources_location"
    # Filesystem-relative modules are not compiled.
    assert "mypkg.core" not in {m["name"] for m in cl.compile_list(manifest)["modules"]}


def test_route_everything_but_one_package_to_the_filesystem(tree, make_policy) -> None:
    app_tree(tree)
    p = policy(make_policy, location="filesystem-relative:lib", resource_locations={"mypkg": "in-memory", "mypkg.core": "in-memory"})
    got = placed(classify(tree.files, [], p, TARGET))
    assert got[("MODULE", "mypkg", "")] == "in-memory"
    assert got[("MODULE", "mypkg.core", "")] == "in-memory"
    assert got[("MODULE", "mypkg.sub", "")] == "filesystem-relative:lib"
    assert got[("MODULE", "other", "")] == "filesystem-relative:lib"


def test_distribution_resources_route_by_distribution_name(tree, make_policy) -> None:
    app_tree(tree)
    p = policy(make_policy, resource_locations={"six": "filesystem-relative:meta"})
    got = placed(classify(tree.files, [], p, TARGET))
    assert got[("DISTRIBUTION_RESOURCE", "", "six-1.16.0.dist-info/METADATA")] == "filesystem-relative:meta"
    assert got[("MODULE", "six", "")] == "filesystem-relative:meta"


def test_conflicting_overrides_are_an_error(tree, make_policy) -> None:
    app_tree(tree)
    p = policy(make_policy, resource_locations={"other.*": "filesystem-relative:lib", "*.tests": "in-memory"}, include_test=True)
    with pytest.raises(ClassifyError) as e:
        classify(tree.files, [], p, TARGET)
    message = str(e.value)
    assert message.startswith("//app:bin: module 'other.tests' (other/tests/__init__.py) matches resource_locations patterns")
    assert "'*.tests' (in-memory)" in message and "'other.*' (filesystem-relative:lib)" in message
    assert "equally specific" in message and "'other.tests'" in message


def test_conflict_resolved_by_a_more_specific_pattern(tree, make_policy) -> None:
    app_tree(tree)
    p = policy(
        make_policy,
        include_test=True,
        resource_locations={"other.*": "filesystem-relative:lib", "*.tests": "in-memory", "other.tests": "in-memory"},
    )
    assert placed(classify(tree.files, [], p, TARGET))[("MODULE", "other.tests", "")] == "in-memory"


def test_extension_forced_in_memory_is_an_error(tree, make_policy) -> None:
    app_tree(tree)
    p = policy(make_policy, location="filesystem-relative:lib", resource_locations={"mypkg._speed": "in-memory"})
    with pytest.raises(ClassifyError) as e:
        classify(tree.files, [], p, TARGET)
    assert str(e.value).startswith(
        f"//app:bin: extension module 'mypkg._speed' (mypkg/_speed{EXT}) is a shared library, "
        "but resource_locations pattern 'mypkg._speed' places it in-memory"
    )
    assert "allow_in_memory_shared_library_loading = True" in str(e.value)


def test_extension_forced_in_memory_when_allowed(tree, make_policy) -> None:
    app_tree(tree)
    p = policy(
        make_policy,
        location="filesystem-relative:lib",
        resource_locations={"mypkg._speed": "in-memory"},
        allow_in_memory_shared_library_loading=True,
    )
    assert placed(classify(tree.files, [], p, TARGET))[("EXTENSION_MODULE", "mypkg._speed", "")] == "in-memory"


def test_allow_in_memory_shared_library_loading_skips_the_fallback(tree, make_policy) -> None:
    app_tree(tree)
    got = placed(classify(tree.files, [], policy(make_policy), TARGET))
    assert got[("EXTENSION_MODULE", "mypkg._speed", "")] == "filesystem-relative:lib"
    got = placed(classify(tree.files, [], policy(make_policy, allow_in_memory_shared_library_loading=True), TARGET))
    assert got[("EXTENSION_MODULE", "mypkg._speed", "")] == "in-memory"
    # No fallback needed then.
    got = placed(classify(tree.files, [], policy(make_policy, fallback=None, allow_in_memory_shared_library_loading=True), TARGET))
    assert got[("EXTENSION_MODULE", "mypkg._speed", "")] == "in-memory"


def _run(tmp_path: Path, **overrides) -> None:
    args = dict(
        target=TARGET, workspace_name="ws", files=[], import_roots=[], location="in-memory", fallback="",
        include_sources=True, optimize_levels=[0], include_test=False, excludes=[], extension_suffixes=[],
        main="", output_manifest=tmp_path / "m.pb", output_compile_list=tmp_path / "c.json",
    )
    args.update(overrides)
    run_classify(**args)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("mypkg=on-disk", r"^//app:bin: resource_locations\['mypkg'\]: invalid location 'on-disk'"),
        ("mypkg=filesystem-relative:../x", r"^//app:bin: resource_locations\['mypkg'\]: invalid location .*normalized"),
        ("=in-memory", r"^//app:bin: resource_locations entry '=in-memory' is not PATTERN=LOCATION"),
        ("mypkg", r"is not PATTERN=LOCATION"),
    ],
)
def test_invalid_resource_locations(tmp_path: Path, entry: str, message: str) -> None:
    with pytest.raises(ClassifyError, match=message):
        _run(tmp_path, resource_locations=[entry])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"extension_module_filter": "some"}, r"^//app:bin: extension_module_filter 'some' is not one of all, minimal"),
        ({"handling_mode": "both"}, r"^//app:bin: resources_handling_mode 'both' is not one of classify, files"),
    ],
)
def test_invalid_policy_values(tmp_path: Path, overrides: dict, message: str) -> None:
    with pytest.raises(ClassifyError, match=message):
        _run(tmp_path, **overrides)


# --- distribution (stdlib) policy ------------------------------------------------------


def stdlib_tree(tree) -> None:
    tree.add(f"{STDLIB}/json/__init__.py", "")
    tree.add(f"{STDLIB}/json/decoder.py", "")
    tree.add(f"{STDLIB}/ensurepip/__init__.py", "")
    tree.add(f"{STDLIB}/ensurepip/_bundled/pip.whl", "zip")
    tree.add("ws/app/__init__.py", "")
    tree.add("ws/app/data.txt", "app data")


def stdlib_policy(make_policy, **changes):
    return policy(make_policy, distribution_roots=(STDLIB, DYNLOAD), **changes)


def test_is_stdlib(tree, make_policy) -> None:
    stdlib_tree(tree)
    manifest = classify(tree.files, [STDLIB, DYNLOAD], stdlib_policy(make_policy), TARGET)
    flags = {r.name: r.is_stdlib for r in manifest.resources if r.kind == Kind.MODULE}
    assert flags == {"app": False, "ensurepip": True, "json": True, "json.decoder": True}


def test_distribution_resources_default_dropped(tree, make_policy) -> None:
    stdlib_tree(tree)
    got = placed(classify(tree.files, [STDLIB, DYNLOAD], stdlib_policy(make_policy), TARGET))
    assert ("PACKAGE_RESOURCE", "ensurepip", "_bundled/pip.whl") not in got
    assert ("PACKAGE_RESOURCE", "app", "data.txt") in got  # not the distribution's
    got = placed(classify(tree.files, [STDLIB, DYNLOAD], stdlib_policy(make_policy, include_distribution_resources=True), TARGET))
    assert ("PACKAGE_RESOURCE", "ensurepip", "_bundled/pip.whl") in got


@pytest.mark.parametrize(
    ("dist", "non_dist", "include_sources", "omitted"),
    [
        (True, True, True, set()),
        (False, True, True, {"json", "json.decoder", "ensurepip"}),
        (True, False, True, {"app"}),
        (False, False, True, {"json", "json.decoder", "ensurepip", "app"}),
        (True, True, False, {"json", "json.decoder", "ensurepip", "app"}),
    ],
)
def test_distribution_sources(tree, make_policy, dist: bool, non_dist: bool, include_sources: bool, omitted: set[str]) -> None:
    stdlib_tree(tree)
    p = stdlib_policy(
        make_policy,
        include_distribution_sources=dist,
        include_non_distribution_sources=non_dist,
        include_sources=include_sources,
    )
    manifest = classify(tree.files, [STDLIB, DYNLOAD], p, TARGET)
    assert {r.name for r in manifest.resources if r.omit_source} == omitted


def test_filesystem_relative_modules_keep_their_source(tree, make_policy) -> None:
    stdlib_tree(tree)
    p = stdlib_policy(make_policy, location="filesystem-relative:lib", include_non_distribution_sources=False)
    manifest = classify(tree.files, [STDLIB, DYNLOAD], p, TARGET)
    assert not any(r.omit_source for r in manifest.resources)


def _gcc_shared(path: Path, *link: str) -> None:
    if shutil.which("gcc") is None:
        pytest.fail("gcc is needed (build-essential)")
    src = path.with_suffix(".c")
    src.write_text("int PyInit_x(void) { return 0; }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-Wl,--no-as-needed", "-o", str(path), str(src), f"-L{path.parent}", *link], check=True)


@pytest.fixture
def dynload(tmp_path: Path):
    """Real ELF extension modules under a distribution's lib-dynload root."""
    root = tmp_path / "src"
    d = root / DYNLOAD
    d.mkdir(parents=True)
    _gcc_shared(d / "libreadline.so")  # a stand-in copyleft library, by soname
    _gcc_shared(d / "libssl.so")
    _gcc_shared(d / f"_json{EXT}", "-lm")
    _gcc_shared(d / f"_ssl{EXT}", "-lssl")
    _gcc_shared(d / f"readline{EXT}", "-lreadline")
    _gcc_shared(d / f"_io{EXT}")
    app = root / "ws" / f"appext{EXT}"
    app.parent.mkdir(parents=True)
    _gcc_shared(app, f"-L{d}", "-lssl")
    files = [
        cl.InputFile(f"{DYNLOAD}/{name}{EXT}", str(d / f"{name}{EXT}")) for name in ("_json", "_ssl", "readline", "_io")
    ] + [cl.InputFile(f"ws/appext{EXT}", str(app))]
    return files


@pytest.mark.parametrize(
    ("filter_name", "kept"),
    [
        ("all", {"_json", "_ssl", "readline", "_io"}),
        ("minimal", {"_io"}),
        ("no-libraries", {"_json", "_io"}),
        ("no-copyleft", {"_json", "_ssl", "_io"}),
        ("no-gpl", {"_json", "_ssl", "_io"}),
    ],
)
def test_extension_module_filter(dynload, make_policy, filter_name: str, kept: set[str]) -> None:
    p = stdlib_policy(make_policy, extension_module_filter=filter_name)
    manifest = classify(dynload, [STDLIB, DYNLOAD], p, TARGET)
    names = {r.name for r in manifest.resources if r.kind == Kind.EXTENSION_MODULE}
    # App extension modules are never filtered.
    assert names == kept | {"appext"}


def test_extension_module_filter_needs_elf(tree, make_policy) -> None:
    tree.add(f"{DYNLOAD}/_bad{EXT}", "not elf")
    p = stdlib_policy(make_policy, extension_module_filter="no-libraries")
    with pytest.raises(ClassifyError, match=rf"^//app:bin: extension module '_bad' \(_bad{EXT}\): extension_module_filter 'no-libraries' needs its DT_NEEDED entries: cannot read"):
        classify(tree.files, [STDLIB, DYNLOAD], p, TARGET)


# --- File resources and handling modes -------------------------------------------------


def files_tree(tree) -> None:
    # Under a directory that cannot name a package (else: a package resource of `bin`).
    tree.add("ws/my-bin/tool.sh", "#!/bin/sh\necho tool\n", executable=True)
    tree.add("ws/README.md", "readme")
    tree.add("ws/pkg/__init__.py", "")
    tree.add("ws/pkg/data.txt", "data")
    tree.add("ws/pkg/tests/fixture.txt", "fixture")
    tree.add("ws/pkg/__pycache__/x.cpython-311.pyc", "")


def test_files_of_other_repositories_skipped_without_allow_files(tree, make_policy) -> None:
    # A wheel's or the distribution's layout is not the user's to fix: left out silently.
    files_tree(tree)
    files = [dataclasses.replace(f, external=True) for f in tree.files]
    got = placed(classify(files, [], policy(make_policy), TARGET))
    assert not [k for k in got if k[0] == "FILE"]
    assert ("PACKAGE_RESOURCE", "pkg", "data.txt") in got


def test_main_repository_files_under_a_non_package_directory_are_an_error(tree, make_policy) -> None:
    files_tree(tree)
    tree.add("ws/my-bin/notes.txt", "notes")
    tree.add("ws/my-pkg/mod.py", "X = 1\n")
    with pytest.raises(ClassifyError) as e:
        classify(tree.files, [], policy(make_policy), TARGET)
    assert str(e.value) == (
        f"{TARGET}: 3 files would be left out: my-bin/ (2 files), my-pkg/ (1 file) are not Python "
        "package names, so no import or resource reader can reach them: my-bin/notes.txt, "
        "my-bin/tool.sh, my-pkg/mod.py. Rename the directory to an identifier (my_pkg), set "
        "allow_files = True to keep the files as File resources, or remove them from the target's "
        "srcs and data"
    )
    # README.md at the import root is no directory's file; bytecode caches are never resources.
    assert "README.md" not in str(e.value) and "__pycache__" not in str(e.value)


def test_allow_files_keeps_unclassifiable_files(tree, make_policy) -> None:
    files_tree(tree)
    manifest = classify(tree.files, [], policy(make_policy, allow_files=True), TARGET)
    got = placed(manifest)
    assert {k for k in got if k[0] == "FILE"} == {("FILE", "README.md", ""), ("FILE", "my-bin/tool.sh", "")}
    assert ("PACKAGE_RESOURCE", "pkg", "data.txt") in got
    tool = next(r for r in manifest.resources if r.name == "my-bin/tool.sh")
    assert tool.executable
    assert not next(r for r in manifest.resources if r.name == "README.md").executable


def test_files_mode_makes_every_file_a_file(tree, make_policy) -> None:
    files_tree(tree)
    tree.add("ws/main.py", "print(1)\n")
    manifest = classify(tree.files, [], policy(make_policy, handling_mode="files", include_test=True), TARGET, "ws/main.py")
    got = placed(manifest)
    assert set(got) == {
        ("MODULE", "main", ""),  # the entry point stays a module
        ("FILE", "README.md", ""),
        ("FILE", "my-bin/tool.sh", ""),
        ("FILE", "pkg/__init__.py", ""),
        ("FILE", "pkg/data.txt", ""),
        ("FILE", "pkg/tests/fixture.txt", ""),
    }
    assert manifest.main_module == "main"
    assert cl.compile_list(manifest)["modules"] == [{"name": "main", "source": str(tree.root / "ws/main.py"), "filename": "main.py"}]


def test_files_follow_test_filters_and_routing(tree, make_policy) -> None:
    files_tree(tree)
    p = policy(make_policy, handling_mode="files", resource_locations={"my-bin/*": "filesystem-relative:tools"})
    manifest = classify(tree.files, [], p, TARGET)
    got = placed(manifest)
    assert ("FILE", "pkg/tests/fixture.txt", "") not in got  # include_test = False
    assert got[("FILE", "my-bin/tool.sh", "")] == "filesystem-relative:tools"
    assert got[("FILE", "README.md", "")] == "in-memory"
    tool = next(r for r in manifest.resources if r.name == "my-bin/tool.sh")
    assert tool.install_path == "tools/my-bin/tool.sh"
