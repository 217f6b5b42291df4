"""Validation of resource location strings at analysis time.

The same rules as runtime/python/_oxidized_importer/locations.py, the authoritative ones (the tools parse
every location again); both run the cases of tests/analysis/location_cases.bzl.
"""

load(":paths.bzl", "is_normalized_relative")

def is_normalized_prefix(prefix):
    """Whether `prefix` is a normalized relative directory (locations.py's `is_normalized_prefix`).

    Args:
      prefix: the PREFIX of `filesystem-relative:PREFIX`.

    Returns:
      True for `.` and for `/`-separated parts none of which is empty, `.` or `..`.
    """
    return prefix == "." or is_normalized_relative(prefix)

def location_error(text):
    """Returns why `text` is not a valid location string, or None when it is valid.

    Args:
      text: a location string (`in-memory`, `filesystem-relative:PREFIX`, ...).

    Returns:
      The error message, or None.
    """
    if text in ("in-memory", "filesystem-extracted"):
        return None
    if not text.startswith("filesystem-relative:"):
        return ("invalid location %r: expected 'in-memory', 'filesystem-relative:PREFIX' " +
                "or 'filesystem-extracted'") % text
    if not is_normalized_prefix(text[len("filesystem-relative:"):]):
        return "invalid location %r: PREFIX must be a normalized relative directory" % text
    return None

def check_location(ctx, attr_name, allow_empty = False):
    """Fails the build, naming the target and attribute, when the location is invalid.

    Args:
      ctx: the rule context.
      attr_name: the name of the string attribute holding the location.
      allow_empty: whether an empty string (no location) is valid.
    """
    text = getattr(ctx.attr, attr_name)
    if allow_empty and not text:
        return
    err = location_error(text)
    if err:
        fail("%s: attribute %s: %s" % (ctx.label, attr_name, err))

def check_resource_locations(ctx, attr_name = "resource_locations"):
    """Fails the build when a resource_locations pattern or location is invalid.

    Args:
      ctx: the rule context.
      attr_name: the name of the string_dict attribute (pattern -> location).
    """
    for pattern, location in getattr(ctx.attr, attr_name).items():
        if not pattern:
            fail("%s: attribute %s: a pattern must not be empty" % (ctx.label, attr_name))
        if "=" in pattern:
            fail("%s: attribute %s: pattern %r must not contain '='" % (ctx.label, attr_name, pattern))
        err = location_error(location)
        if err:
            fail("%s: attribute %s: pattern %r: %s" % (ctx.label, attr_name, pattern, err))
