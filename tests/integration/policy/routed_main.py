"""Reports where each package was loaded from, as JSON."""

import json
import os
import sys

import mypkg
import mypkg.core
import mypkg.sub
import other

with open(os.path.join(os.path.dirname(mypkg.__file__), "data.txt")) as f:
    data = f.read()

print(json.dumps({
    "executable": sys.executable,
    "mypkg": mypkg.__file__,
    "mypkg.core": mypkg.core.__file__,
    "mypkg.sub": mypkg.sub.__file__,
    "mypkg.loader": type(mypkg.__loader__).__name__,
    "data": data,
    "other_has_file": hasattr(other, "__file__"),
    "other.loader": type(other.__loader__).__name__,
    "value": mypkg.core.VALUE,
}))
