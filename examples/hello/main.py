"""The smallest oxidized program: prints a greeting and its arguments."""

import sys


def main() -> int:
    print("hello from an oxidized binary")
    if len(sys.argv) > 1:
        print("args:", sys.argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
