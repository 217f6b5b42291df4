"""Namespace-package module (no __init__.py in plugins/) using lib-dynload extensions."""

import decimal
import json


def total(prices: list[str]) -> str:
    amount = sum((decimal.Decimal(p) for p in prices), decimal.Decimal("0"))
    return json.dumps({"total": str(amount.quantize(decimal.Decimal("0.01")))})
