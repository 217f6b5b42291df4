"""Location strings and whether they are valid: run through both checks of them.

runtime/python/_oxidized_importer/locations.py's `parse_location` (tools/tests/test_locations.py, which
reads this file as a Python literal) and oxidizer/private/locations.bzl's `location_error`
(//tests/analysis:location_cases_test) must both accept exactly the valid ones. Keep the
list a plain literal of (string, bool) pairs.
"""

LOCATION_CASES = [
    ("in-memory", True),
    ("filesystem-extracted", True),
    ("filesystem-relative:lib", True),
    ("filesystem-relative:lib/python3.11", True),
    ("filesystem-relative:a.b", True),
    ("filesystem-relative:.", True),
    ("filesystem-relative:..a", True),
    ("filesystem-relative:a..", True),
    ("filesystem-relative:.hidden", True),
    ("filesystem-relative:my lib", True),
    ("filesystem-relative:x:y", True),
    ("filesystem-relative:a\\b", True),
    ("", False),
    ("in-memory:", False),
    ("in-memory:lib", False),
    ("In-Memory", False),
    ("inmemory", False),
    ("memory", False),
    ("on-disk:lib", False),
    ("lib", False),
    ("filesystem-relative", False),
    ("filesystem-relative:", False),
    ("filesystem_relative:lib", False),
    ("filesystem-relative-lib", False),
    ("filesystem-extracted:lib", False),
    ("filesystem_extracted", False),
    ("filesystem-relative:/abs", False),
    ("filesystem-relative://abs", False),
    ("filesystem-relative:..", False),
    ("filesystem-relative:../up", False),
    ("filesystem-relative:a/../b", False),
    ("filesystem-relative:a/..", False),
    ("filesystem-relative:./a", False),
    ("filesystem-relative:a/.", False),
    ("filesystem-relative:a/./b", False),
    ("filesystem-relative:a//b", False),
    ("filesystem-relative:a/", False),
    ("filesystem-relative:/", False),
    ("filesystem-relative:./", False),
]
