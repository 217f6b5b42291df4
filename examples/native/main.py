"""Uses a C extension module linked into the executable as a built-in."""

import sys

import _fastmath

print("dot", _fastmath.dot([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]))
print("built-in", "_fastmath" in sys.builtin_module_names, _fastmath.__spec__.origin)
