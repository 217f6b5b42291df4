"""The `oxidizer` command: inspect and analyze what rules_oxidizer builds.

    oxidizer inspect FILE [--json]      packed resources in a blob or an executable
    oxidizer analyze FILE [--json]      dependencies, glibc floor, embedded Python
    oxidizer find-resources DIR [--json] how files under DIR would be classified
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
    from oxidizer_tools.locations import parse_location

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


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args
    positional = [a for a in args if a != "--json"]
    if len(positional) != 2 or positional[0] not in ("inspect", "analyze", "find-resources"):
        print(USAGE, file=sys.stderr)
        return 2
    command, target = positional[0], Path(positional[1])
    if command == "inspect":
        return inspect_packed.main([str(target)] + (["--json"] if as_json else []))
    if command == "find-resources":
        return _find_resources(target, as_json)
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
        print(f"  embeds a static CPython: {'yes' if result.exports_python_api else 'no'}")
        blobs = ", ".join(f"v{b['version']} {b['size']} bytes at {b['offset']}" for b in result.packed_blobs)
        print(f"  packed resources: {blobs or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
