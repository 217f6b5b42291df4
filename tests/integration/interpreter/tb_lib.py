"""Raises from an in-memory module: the traceback must show this source line."""


def explode(value: int) -> None:
    if value > 2:
        raise ValueError(f"boom from tb_lib {value}")  # marker: tb_lib raise line
