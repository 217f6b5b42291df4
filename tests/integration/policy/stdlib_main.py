"""Reports which stdlib extension modules import and whether stdlib source is embedded."""

import importlib
import json
import json.decoder


def importable(name):
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def has_source(module):
    return module.__loader__.get_source(module.__name__) is not None


print(json.dumps({
    "json_source": has_source(json.decoder),
    "c_scanstring": json.decoder.c_scanstring is not None,
    "_decimal": importable("_decimal"),
    "_json": importable("_json"),
    "readline": importable("readline"),
    "_ssl": importable("_ssl"),
}))
