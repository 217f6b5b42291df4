"""A plugin found through its distribution's entry points."""


def hello() -> str:
    return "plugin loaded"
