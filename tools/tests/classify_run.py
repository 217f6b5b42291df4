"""`run_classify`: classify.run with the policy given as keyword arguments, through a policy file's contents.

The tests name policy values as classify's Policy fields do (`location`, `fallback`,
`optimize_levels`, `handling_mode`, ...); this builds the policy file's JSON object from them
(the format oxidizer/private/policy.bzl's `policy_json` writes), so every test also goes
through `classify.policy_from_json` and its checks. Unnamed values are Policy's defaults.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from oxidizer_tools import classify as cl

# Policy field -> policy file key, where they differ.
_FILE_KEY = {
    "location": "resources_location",
    "fallback": "resources_location_fallback",
    "optimize_levels": "bytecode_optimize_levels",
    "handling_mode": "resources_handling_mode",
}
_FILE_LEVEL = ("extension_suffixes", "distribution_roots", "check_resource_locations")
# Values of the Policy fields that have no default.
_REQUIRED = {
    "location": "in-memory",
    "fallback": "",
    "include_sources": True,
    "optimize_levels": [0],
    "include_test": False,
    "excludes": [],
    "extension_suffixes": [],
}


def policy_file(**values: Any) -> dict[str, Any]:
    """The JSON object of a policy file; `values` are Policy field names (locations as strings)."""
    policy: dict[str, Any] = {}
    top: dict[str, Any] = {}
    for field in dataclasses.fields(cl.Policy):
        if field.name in values:
            value = values.pop(field.name)
        elif field.name in _REQUIRED:
            value = _REQUIRED[field.name]
        else:
            value = field.default
        if isinstance(value, tuple):
            value = list(value)
        if field.name in _FILE_LEVEL:
            top[field.name] = value
        else:
            policy[_FILE_KEY.get(field.name, field.name)] = value
    if values:
        raise TypeError(f"unknown policy values {sorted(values)}")
    return {"policy": policy, **top}


def run_classify(
    *,
    target: str,
    workspace_name: str,
    files: list[str],
    import_roots: list[str],
    main: str,
    output_manifest: Path,
    output_compile_list: Path,
    **policy: Any,
) -> None:
    """classify.run, the policy built by classify.policy_from_json from `policy_file(**policy)`."""
    cl.run(
        target=target,
        workspace_name=workspace_name,
        files=files,
        import_roots=import_roots,
        policy=cl.policy_from_json(policy_file(**policy), target),
        main=main,
        output_manifest=output_manifest,
        output_compile_list=output_compile_list,
    )
