"""Entry point of the `app` example: `app NAME [PRICE...]`."""

import sys

import greeter
from greeter.plugins import money


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: app NAME [PRICE...]", file=sys.stderr)
        return 2
    print(greeter.greet(argv[1]))
    if len(argv) > 2:
        print(money.total(argv[2:]))
    print("decimal is", "C" if money.decimal.__name__ == "decimal" and hasattr(money.decimal, "__libmpdec_version__") else "pure Python")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
