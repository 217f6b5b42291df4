"""Entry point of the `app` example: `app NAME [PRICE...]`, or `app --stdlib`."""

import sys

import greeter
from greeter.plugins import money


def stdlib_report() -> list[str]:
    """One line per standard-library extension module the binary must carry in itself."""
    import ctypes
    import decimal
    import lzma
    import readline
    import sqlite3
    import ssl
    import zlib

    connection = sqlite3.connect(":memory:")
    (answer,) = connection.execute("select 6 * 7").fetchone()
    return [
        "decimal %s" % (decimal.Decimal(1) / decimal.Decimal(8)),
        "ssl %s" % ssl.OPENSSL_VERSION.split()[0],
        "sqlite3 %d" % answer,
        "ctypes %d" % ctypes.c_int(7).value,
        "zlib %d" % len(zlib.decompress(zlib.compress(b"x" * 1000))),
        "lzma %d" % len(lzma.decompress(lzma.compress(b"y" * 1000))),
        "readline %s" % ("libedit" if "libedit" in (readline.__doc__ or "") or readline._READLINE_LIBRARY_VERSION.startswith("EditLine") else "GNU"),
    ]


def main(argv: list[str]) -> int:
    if argv[1:] == ["--stdlib"]:
        print("\n".join(stdlib_report()))
        return 0
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
