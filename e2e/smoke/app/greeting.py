"""A library module of the consumer workspace."""

import sys


def greet() -> str:
    return "hello from a consumer workspace"


if __name__ == "__main__":
    print(greet(), sys.argv[1:])
