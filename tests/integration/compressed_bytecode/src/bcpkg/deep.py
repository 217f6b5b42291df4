"""A module whose bytecode is long enough to be packed compressed (fields 0x22-0x24)."""

TABLE = {f"key{i}": i * i for i in range(64)}


def lookup(key: str) -> int:
    value = TABLE[key]  # the line a traceback of lookup("zeta") shows
    return value


def describe(n: int) -> str:
    if n < 0:
        return "negative"
    if n == 0:
        return "zero"
    if n % 2 == 0:
        return f"even {n}, half {n // 2}"
    return f"odd {n}, next {n + 1}"
