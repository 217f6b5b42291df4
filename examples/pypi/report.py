"""A small CLI with real PyPI dependencies: fetch a YAML document, summarize it, print it.

    report URL         fetch URL with requests, parse it with PyYAML's C loader, compute
                       with numpy, format its `code` with black and print a rich table.
    report --versions  print what was imported and exit (what bench/pypi_app.py times).
"""

from __future__ import annotations

import sys

import black
import numpy
import requests
import yaml
from rich.console import Console
from rich.table import Table


def _versions() -> str:
    return f"libyaml: {yaml.__with_libyaml__}, black compiled: {black.COMPILED}, numpy {numpy.__version__}"


def main(argv: list[str]) -> int:
    if argv[1:] == ["--versions"]:
        print(_versions())
        return 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    response = requests.get(argv[1], timeout=10)
    response.raise_for_status()
    document = yaml.load(response.text, Loader=yaml.CSafeLoader)
    values = numpy.array(document["values"], dtype=numpy.float64)

    table = Table(title=document["title"])
    table.add_column("statistic")
    table.add_column("value", justify="right")
    for name, value in (("count", values.size), ("mean", values.mean()), ("std", values.std())):
        table.add_row(name, f"{value:.3f}" if name != "count" else str(value))
    console = Console(width=60, color_system=None, force_terminal=False)
    console.print(table)
    console.print(black.format_str(document["code"], mode=black.Mode()), end="")
    print(_versions())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
