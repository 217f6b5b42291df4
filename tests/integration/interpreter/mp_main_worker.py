"""spawn children unpickle a worker function defined in the in-memory __main__."""

import multiprocessing


def cube(x: int) -> int:
    return x * x * x


if __name__ == "__main__":
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        print(pool.map(cube, range(5)))
