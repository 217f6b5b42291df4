"""Merging rule attribute dicts without letting one silently replace another."""

def merge_attrs(*dicts):
    """The union of attribute dicts; an attribute declared in two of them fails.

    `dict(a, **b)` lets `b` override `a` without a word, which is how an attribute could be
    declared twice with different defaults; this refuses it.

    Args:
      *dicts: attribute name -> `attr.*` object dicts.

    Returns:
      One dict with every attribute.
    """
    merged = {}
    for d in dicts:
        for name, value in d.items():
            if name in merged:
                fail("attribute %s is declared twice" % name)
            merged[name] = value
    return merged
