"""A CPU-bound pure-Python workload (no I/O, deterministic): the benchmark's CPU measure.

Usage: cpu_workload.py [SCALE]. Mixes what CPU-bound services do: integer and float
arithmetic (n-body), object-heavy code (a Richards-like scheduler), dict/str work (word
counts), regular expressions, json round trips and sorting. Prints one checksum line, so
every interpreter can be checked to have done the same work.
"""

from __future__ import annotations

import json
import re
import sys


def nbody(steps: int) -> float:
    bodies = [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 39.47],
        [4.84, -1.16, -0.10, 0.60, 2.81, -0.02, 0.037],
        [8.34, 4.12, -0.40, -1.01, 1.82, 0.008, 0.011],
        [12.89, -15.11, -0.22, 1.08, 0.86, -0.01, 0.0017],
        [15.37, -25.91, 0.17, 0.97, 0.59, -0.03, 0.002],
    ]
    pairs = [(a, b) for i, a in enumerate(bodies) for b in bodies[i + 1 :]]
    for _ in range(steps):
        for a, b in pairs:
            dx, dy, dz = a[0] - b[0], a[1] - b[1], a[2] - b[2]
            mag = 0.01 * (dx * dx + dy * dy + dz * dz) ** -1.5
            am, bm = a[6] * mag, b[6] * mag
            a[3] -= dx * bm
            a[4] -= dy * bm
            a[5] -= dz * bm
            b[3] += dx * am
            b[4] += dy * am
            b[5] += dz * am
        for body in bodies:
            body[0] += 0.01 * body[3]
            body[1] += 0.01 * body[4]
            body[2] += 0.01 * body[5]
    return sum(b[0] for b in bodies)


class Task:
    def __init__(self, ident: int, priority: int) -> None:
        self.ident = ident
        self.priority = priority
        self.count = 0

    def run(self, packet: list[int]) -> int:
        self.count += 1
        packet.append(self.ident * self.priority % 7)
        if len(packet) > 8:
            packet.pop(0)
        return sum(packet) % (self.ident + 3)


def scheduler(rounds: int) -> int:
    tasks = [Task(i, (i * 37) % 11 + 1) for i in range(24)]
    packet: list[int] = []
    total = 0
    for r in range(rounds):
        task = tasks[(r * 7) % len(tasks)]
        total += task.run(packet)
        if total % 5 == 0:
            tasks.sort(key=lambda t: (t.priority, -t.count))
    return total


def words(n: int) -> int:
    text = " ".join("w%d" % ((i * i) % 1009) for i in range(n))
    counts: dict[str, int] = {}
    for word in text.split():
        counts[word] = counts.get(word, 0) + 1
    pattern = re.compile(r"w(\d+)7\b")
    hits = sum(1 for _ in pattern.finditer(text))
    return len(counts) + hits + sum(v * v for v in sorted(counts.values())[-10:])


def documents(n: int) -> int:
    docs = [{"id": i, "name": "item-%d" % i, "tags": ["t%d" % (i % 13), "x"], "score": i * 0.5} for i in range(n)]
    text = json.dumps(docs, sort_keys=True)
    back = json.loads(text)
    return len(text) + sum(d["id"] for d in sorted(back, key=lambda d: (d["tags"][0], -d["score"]))[:50])


def main() -> None:
    scale = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    checksum = (
        round(nbody(2000 * scale), 6),
        scheduler(20000 * scale),
        words(8000 * scale),
        documents(1000 * scale),
    )
    print("cpu_workload", scale, checksum)


if __name__ == "__main__":
    main()
