"""The `oxidizer` command: inspect and analyze what rules_oxidizer builds.

    oxidizer inspect FILE [--json]      packed resources in a blob or an executable
    oxidizer analyze FILE [--json]      dependencies, glibc floor, embedded Python
    oxidizer licenses BINARY [--json]   licences of the components linked into an oxidized
                                        binary and of the Python packages it embeds
    oxidizer find-resources DIR [--json] how files under DIR would be classified
    oxidizer lock REQUIREMENTS_IN [-o LOCK] [--upgrade]
                                        resolve PyPI requirements for the embedded
                                        distribution into a hashed lock
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from oxidizer_tools import inspect_packed
from oxidizer_tools.analyze import AnalyzeError, analyze

USAGE = __doc__ or ""


def _find_resources(directory: Path, as_json: bool) -> int:
    import importlib.machinery

    from oxidizer_tools import classify, manifest_pb2
    from _oxidized_importer.locations import parse_location

    if not directory.is_dir():
        print(f"oxidizer: {directory}: not a directory", file=sys.stderr)
        return 1
    files = [
        classify.InputFile(runfiles_path="root/" + p.relative_to(directory).as_posix(), exec_path=str(p))
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    ]
    policy = classify.Policy(
        location=parse_location("in-memory"),
        fallback=parse_location("filesystem-relative:lib"),
        include_sources=True,
        optimize_levels=(0,),
        include_test=True,
        excludes=(),
        extension_suffixes=tuple(importlib.machinery.EXTENSION_SUFFIXES),
    )
    try:
        manifest = classify.classify(files, [], policy, str(directory))
    except classify.ClassifyError as e:
        print(f"oxidizer: {e}", file=sys.stderr)
        return 1
    rows = [
        {
            "kind": manifest_pb2.Resource.Kind.Name(r.kind),
            "name": r.name,
            "is_package": r.is_package,
            "resource": r.resource_name,
            "file": r.source_path,
        }
        for r in manifest.resources
    ]
    if as_json:
        print(json.dumps(rows, indent=1))
    else:
        for row in rows:
            name = f"{row['name']} (package)" if row["is_package"] and row["kind"] != "NAMESPACE_PACKAGE" else row["name"]
            print(f"{row['kind']:<22} {name:<40} {row['resource']}".rstrip())
    return 0


def _licenses(binary: Path, as_json: bool) -> int:
    import os

    from oxidizer_tools import licenses

    # Under `bazel run`, a relative path is relative to where the user ran Bazel.
    binary = Path(os.environ.get("BUILD_WORKING_DIRECTORY", ".")) / binary
    try:
        result = licenses.report(binary)
    except licenses.LicensesError as e:
        print(f"oxidizer licenses: {e}", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(result.as_dict(), indent=1))
    else:
        print("\n".join(licenses.format_report(result)))
    return 0


def _distribution_file(name: str) -> Path:
    """A file of the default distribution repository, from this binary's runfiles."""
    from runfiles import runfiles  # bazel-runfiles

    files = runfiles.Create()
    found = files.Rlocation(f"oxidizer_python/{name}") if files else None
    if not found or not Path(found).exists():
        raise FileNotFoundError(f"oxidizer_python/{name} is not in the runfiles: use `bazel run //:oxidizer -- lock ...` or pass --python and --metadata")
    return Path(found)


def _lock(argv: list[str]) -> int:
    import argparse
    import os

    from oxidizer_tools.pypi.resolve import ResolveError, lock
    from oxidizer_tools.pypi.target import Target, TargetError

    parser = argparse.ArgumentParser(prog="oxidizer lock", description="Resolve REQUIREMENTS_IN for the embedded distribution into a hashed lock.")
    parser.add_argument("requirements_in", type=Path)
    parser.add_argument("-o", "--output", type=Path, help="the lock (default: requirements_lock.txt beside REQUIREMENTS_IN)")
    parser.add_argument("--upgrade", action="store_true", help="ignore the existing lock's pins")
    parser.add_argument("--python", type=Path, help="the distribution's interpreter (default: @oxidizer_python//:python)")
    parser.add_argument("--metadata", type=Path, help="the distribution's metadata.json (default: @oxidizer_python's)")
    args = parser.parse_args(argv)
    # Under `bazel run`, paths are relative to where the user ran Bazel.
    cwd = Path(os.environ.get("BUILD_WORKING_DIRECTORY", "."))
    requirements_in = cwd / args.requirements_in
    output = cwd / args.output if args.output else requirements_in.with_name("requirements_lock.txt")
    try:
        python = args.python or _distribution_file("python")
        target = Target.load(args.metadata or _distribution_file("metadata.json"))
        pins = lock(requirements_in, output, python=python, target=target, upgrade=args.upgrade, source=str(args.requirements_in))
    except (FileNotFoundError, ResolveError, TargetError) as e:
        print(f"oxidizer lock: {e}", file=sys.stderr)
        return 1
    print(f"{output}: {len(pins)} projects locked for {target.description}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["lock"]:
        return _lock(args[1:])
    as_json = "--json" in args
    positional = [a for a in args if a != "--json"]
    if len(positional) != 2 or positional[0] not in ("inspect", "analyze", "find-resources", "licenses"):
        print(USAGE, file=sys.stderr)
        return 2
    command, target = positional[0], Path(positional[1])
    if command == "inspect":
        return inspect_packed.main([str(target)] + (["--json"] if as_json else []))
    if command == "find-resources":
        return _find_resources(target, as_json)
    if command == "licenses":
        return _licenses(target, as_json)
    try:
        result = analyze(target)
    except AnalyzeError as e:
        print(f"oxidizer: {e}", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(result.as_dict(), indent=1))
    else:
        print(f"{result.path}: {result.format} {result.machine}")
        print(f"  needs: {', '.join(result.needed) or '(nothing)'}")
        print(f"  glibc floor: {result.glibc_floor or 'n/a'}")
        for needs in result.glibc_floor_needed_by:
            shown = ", ".join(needs.symbols[:8]) + (f" and {len(needs.symbols) - 8} more" if len(needs.symbols) > 8 else "")
            print(f"    GLIBC_{needs.version} needed by {needs.file}: {shown or '(no symbol: a version dependency only)'}")
        print(f"  embeds a static CPython: {'yes' if result.exports_python_api else 'no'}")
        blobs = ", ".join(f"v{b['version']} {b['size']} bytes at {b['offset']}" for b in result.packed_blobs)
        print(f"  packed resources: {blobs or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
