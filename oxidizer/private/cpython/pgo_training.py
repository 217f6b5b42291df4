"""CPython's PGO training run for rules_oxidizer builds: deterministic by construction.

CPython's own `-m test --pgo` runs threads, timeouts and timing loops, so two builds get
different profile counts and different machine code. This workload is single-threaded and
does the same work at every run (string hashing is seeded by the build script), so that
two clean builds of libpython are byte-identical. It exercises what programs do most:
importing and compiling stdlib modules, bytecode of every common shape, str/bytes/dict/list
operations, json, re, pickle, decimal, struct, sqlite3, zlib, hashlib, datetime.
"""

import sys


def _imports():
    import argparse, base64, collections, csv, dataclasses, datetime, decimal, enum, fractions  # noqa: E401
    import functools, hashlib, heapq, io, itertools, json, logging, lzma, math, operator  # noqa: E401
    import pathlib, pickle, random, re, shlex, sqlite3, statistics, string, struct, textwrap  # noqa: E401
    import tokenize, typing, unicodedata, urllib.parse, uuid, xml.etree.ElementTree, zlib  # noqa: E401
    return sys.modules


def _compile_stdlib(modules):
    import os

    total = 0
    for name in sorted(modules):
        path = getattr(modules[name], "__file__", None)
        if path and path.endswith(".py") and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                source = f.read()
            total += len(compile(source, path, "exec").co_consts)
    return total


def _objects(n):
    class Point:
        __slots__ = ("x", "y")

        def __init__(self, x, y):
            self.x, self.y = x, y

        def norm(self):
            return (self.x * self.x + self.y * self.y) ** 0.5

    points = [Point(i % 97, i % 89) for i in range(n)]
    points.sort(key=lambda p: (p.norm(), p.x))
    table = {}
    for i, p in enumerate(points):
        table.setdefault(p.x % 13, []).append(i)
    text = "".join("%d:%s;" % (k, ",".join(map(str, v[:5]))) for k, v in sorted(table.items()))
    words = text.replace(";", " ").split()
    return sum(len(w) for w in words) + len({w.upper() for w in words})


def _generators(n):
    def fib():
        a, b = 0, 1
        while True:
            yield a
            a, b = b, a + b

    import itertools

    total = sum(x % 1000 for x in itertools.islice(fib(), n))
    total += sum(i * j for i in range(200) for j in range(i % 17))
    try:
        for i in range(n):
            if i == n - 1:
                raise ValueError(i)
    except ValueError as e:
        total += e.args[0]
    return total


def _formats(n):
    import datetime, decimal, fractions, json, pickle, re, struct, zlib, hashlib  # noqa: E401

    docs = [{"id": i, "name": f"n{i:05d}", "v": i / 7, "tags": ["a", "b"][: i % 3]} for i in range(n)]
    blob = json.dumps(docs, sort_keys=True)
    assert json.loads(blob) == docs
    data = pickle.dumps(docs, protocol=5)
    assert pickle.loads(data) == docs
    pattern = re.compile(r"n(\d{3})(\d\d)")
    hits = sum(1 for m in pattern.finditer(blob) if int(m.group(2)) % 2)
    ctx = decimal.Context(prec=30)
    d = sum((ctx.divide(decimal.Decimal(i), decimal.Decimal(7)) for i in range(1, n)), decimal.Decimal(0))
    f = sum(fractions.Fraction(1, i) for i in range(1, 60))
    packed = b"".join(struct.pack("<iqd", i, i * i, i / 3) for i in range(n))
    day = datetime.date(2000, 1, 1) + datetime.timedelta(days=n)
    digest = hashlib.sha256(zlib.compress(packed)).hexdigest()
    return hits + len(str(d)) + f.denominator % 1000 + day.toordinal() + len(digest)


def _sqlite(n):
    import sqlite3

    db = sqlite3.connect(":memory:")
    db.execute("create table t (k integer primary key, v text)")
    db.executemany("insert into t values (?, ?)", ((i, "v%d" % i) for i in range(n)))
    (count,) = db.execute("select count(*) from t where v like 'v1%'").fetchone()
    db.close()
    return count


def main():
    modules = _imports()
    total = _compile_stdlib(modules)
    for scale in (2000, 20000, 60000):
        total += _objects(scale) + _generators(scale) + _formats(scale // 10) + _sqlite(scale)
    print("pgo training done", total)


main()
