"""Uses each of twelve popular PyPI projects the way programs do; prints one line per project."""

from __future__ import annotations

import os
import ssl
import sys


def main() -> int:
    import certifi

    assert os.path.isfile(certifi.where()), certifi.where()
    ssl.create_default_context(cafile=certifi.where())
    print("certifi: CA bundle is a file")

    import zoneinfo

    import tzdata  # noqa: F401 (zoneinfo reads its package resources)

    print("tzdata:", zoneinfo.ZoneInfo("Europe/Paris").key)

    from pygments import highlight
    from pygments.formatters import NullFormatter
    from pygments.lexers import PythonLexer

    print("pygments:", highlight("x = 1", PythonLexer(), NullFormatter()).strip())

    import jinja2
    import markupsafe

    env = jinja2.Environment(loader=jinja2.PackageLoader("tpl"), autoescape=False)
    print("jinja2:", env.get_template("greeting.txt").render(name="ann", items=["a", "b"]).strip())
    print("markupsafe:", markupsafe.escape("<b>"), markupsafe._speedups.__name__)

    from rich.console import Console

    Console(color_system=None, width=40).print("rich: [bold]ok[/bold]")

    import requests

    prepared = requests.Request("GET", "http://127.0.0.1/x", params={"q": "1"}).prepare()
    print("requests:", prepared.url, requests.utils.DEFAULT_CA_BUNDLE_PATH == certifi.where())

    import attrs
    import click
    from click.testing import CliRunner

    @attrs.define
    class Point:
        x: int
        y: int

    @click.command()
    @click.option("--n", type=int)
    def cli(n: int) -> None:
        click.echo(f"{Point(n, n * 2)}")

    print("click+attrs:", CliRunner().invoke(cli, ["--n", "3"]).output.strip())

    import black

    print("black:", black.format_str("f(a,b)", mode=black.Mode()).strip(), "compiled" if black.COMPILED else "interpreted")

    import numpy

    import importlib.util

    # Third-party code has include_test = False: numpy's test suites are left out.
    suites = importlib.util.find_spec("numpy.tests") is None and importlib.util.find_spec("numpy._core.tests") is None
    print("numpy:", numpy.linalg.inv(numpy.array([[2.0, 0.0], [0.0, 4.0]])).tolist(), "no test suites" if suites else "test suites")

    import yaml

    print("pyyaml:", yaml.load("a: [1, 2]", Loader=yaml.CSafeLoader), yaml.__with_libyaml__)

    from cryptography.fernet import Fernet

    token = Fernet(Fernet.generate_key())
    print("cryptography:", token.decrypt(token.encrypt(b"secret")).decode())

    import pydantic

    class User(pydantic.BaseModel):
        name: str
        age: int

    print("pydantic:", User.model_validate({"name": "ann", "age": "41"}).age + 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
