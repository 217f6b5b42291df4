"""Greeting logic: reads its template through importlib.resources."""

from importlib import resources


def template() -> str:
    return resources.files("greeter").joinpath("greeting.txt").read_text(encoding="utf-8").strip()


def greet(name: str) -> str:
    return template().format(name=name)
