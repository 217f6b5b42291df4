import sys

import greetpkg

print(greetpkg.hello("memfd"))
ext = sys.modules["greetpkg._greet"]
print("file", getattr(ext, "__file__", None) is not None, type(ext.__spec__.loader).__name__)
