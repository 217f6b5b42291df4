"""Does what argv[1] says, so tests can check process behaviour like `python` has it."""

import sys


def fail_deeply() -> None:
    raise ValueError("deliberate failure")


def main() -> None:
    action = sys.argv[1] if len(sys.argv) > 1 else "report"
    if action == "report":
        import encodings

        finder = type(sys.meta_path[0]).__name__
        print("argv", sys.argv[1:])
        print("frozen", getattr(sys, "frozen", None))
        print("meta_path", [type(f).__name__ if not isinstance(f, type) else f.__name__ for f in sys.meta_path])
        print("encodings loader", type(encodings.__spec__.loader).__name__, "file" if hasattr(encodings, "__file__") else "no-file")
        print("main file", "file" if "__file__" in globals() else "no-file", "spec", __spec__)
        print("first finder", finder)
        print("flags", sys.flags.isolated, sys.flags.no_site, sys.flags.ignore_environment)
    elif action == "exit":
        sys.exit(int(sys.argv[2]))
    elif action == "exit-message":
        sys.exit("goodbye via SystemExit")
    elif action == "raise":
        fail_deeply()
    elif action == "echo-stdin":
        data = sys.stdin.read()
        sys.stdout.write(data.upper())
        sys.stderr.write(f"read {len(data)} chars\n")
    elif action == "imports":
        import decimal, json, sqlite3, ssl, ctypes, hashlib  # noqa: E401

        print("decimal", decimal.Decimal("1.1") + decimal.Decimal("2.2"))
        print("json", json.dumps({"a": [1, 2]}))
        print("sqlite3", sqlite3.connect(":memory:").execute("select 1 + 1").fetchone()[0])
        print("ssl", ssl.OPENSSL_VERSION.split()[0])
        print("hashlib", hashlib.sha256(b"x").hexdigest()[:8])
    else:
        print("unknown action", action, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
