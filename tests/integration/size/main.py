"""A small program for tests/integration/test_size.py: what a training run imports."""

import json
import sys

if sys.argv[1:] == ["untrained"]:
    # A path the training run never took: its module is not in the keep-list.
    import xml.dom.minidom  # noqa: F401

print(json.dumps({"ok": True, "argv": sys.argv[1:]}))
