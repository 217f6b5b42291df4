"""Uses an extension module linked in as the submodule mathpkg._fastmath."""

import mathpkg

print("dot", mathpkg.dot([1.0, 2.0], [3.0, 4.0]))
print("spec", mathpkg._fastmath.__spec__.name, mathpkg._fastmath.__spec__.origin)
