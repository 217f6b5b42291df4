"""Work done in multiprocessing children (importable by name in spawn children)."""

import os


def square(x: int) -> tuple[int, int]:
    return x * x, os.getpid()
