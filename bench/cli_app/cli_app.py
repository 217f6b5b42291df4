"""A small, realistic command-line tool for bench/run.py: a build-log analyser.

It parses a (generated, deterministic) CI build log with regular expressions, turns lines
into dataclasses, groups them by day and by source directory, and prints a JSON summary.
It imports what such tools import: argparse, json, logging, pathlib, dataclasses,
subprocess, re and datetime (about 100 modules in sys.modules under `python3.11 -I -S`).
Output depends only on the arguments, so every contender must print the same bytes.

    cli_app.py summary [--lines N] [--top N] [--since YYYY-MM-DD]
    cli_app.py rerun TARGET...     # prints the shell command that would rebuild TARGETs
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import logging
import pathlib
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence

LOG = logging.getLogger("cli_app")
LINE = re.compile(
    r"^(?P<ts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d) (?P<level>INFO|WARN|ERROR) "
    r"(?P<path>[\w/.-]+\.(?:c|py|h)):(?P<line>\d+): (?P<msg>.*)$"
)
START = datetime.datetime(2024, 3, 1, 8, 0, 0)
DIRS = ("runtime/src", "tools/oxidizer_tools", "oxidizer/private", "tests/integration", "bench")
MESSAGES = ("unused variable 'x'", "deprecated call to open()", "line too long (103 > 100)",
            "missing return type", "implicit fallthrough", "undefined name 'Path'")


@dataclasses.dataclass(frozen=True, order=True)
class Entry:
    """One parsed log line."""

    when: datetime.datetime
    level: str
    path: pathlib.PurePosixPath
    line: int
    message: str


@dataclasses.dataclass
class DayStats:
    """Counts of one day."""

    day: str
    entries: int = 0
    errors: int = 0
    warnings: int = 0
    files: set[str] = dataclasses.field(default_factory=set)

    def as_json(self) -> dict[str, object]:
        return {"day": self.day, "entries": self.entries, "errors": self.errors,
                "warnings": self.warnings, "files": len(self.files)}


def generate_log(lines: int) -> Iterator[str]:
    """A deterministic build log (a linear congruential generator, no randomness)."""
    state = 12345
    for i in range(lines):
        state = (state * 1103515245 + 12345) % 2**31
        when = START + datetime.timedelta(minutes=7 * i + state % 5)
        level = ("INFO", "WARN", "WARN", "ERROR")[state % 4]
        path = f"{DIRS[state % len(DIRS)]}/mod{state % 13}.{('c', 'py', 'h')[state % 3]}"
        yield f"{when.isoformat()} {level} {path}:{state % 977 + 1}: {MESSAGES[state % len(MESSAGES)]}"
        if i % 50 == 49:
            yield "-- garbage line the parser must skip --"


def parse(lines: Iterator[str]) -> Iterator[Entry]:
    for text in lines:
        m = LINE.match(text)
        if m is None:
            LOG.debug("skipping %r", text)
            continue
        yield Entry(datetime.datetime.fromisoformat(m["ts"]), m["level"],
                    pathlib.PurePosixPath(m["path"]), int(m["line"]), m["msg"])


def summarize(entries: Sequence[Entry], top: int) -> dict[str, object]:
    days: dict[str, DayStats] = {}
    by_dir: dict[str, int] = {}
    by_suffix: dict[str, int] = {}
    for e in entries:
        st = days.setdefault(e.when.date().isoformat(), DayStats(e.when.date().isoformat()))
        st.entries += 1
        st.errors += e.level == "ERROR"
        st.warnings += e.level == "WARN"
        st.files.add(str(e.path))
        by_dir[e.path.parent.as_posix()] = by_dir.get(e.path.parent.as_posix(), 0) + 1
        by_suffix[e.path.suffix] = by_suffix.get(e.path.suffix, 0) + 1
    worst = sorted(by_dir.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    span = entries[-1].when - entries[0].when if entries else datetime.timedelta()
    return {
        "entries": len(entries),
        "span_hours": round(span.total_seconds() / 3600, 2),
        "days": [days[d].as_json() for d in sorted(days)],
        "top_dirs": [{"dir": d, "entries": n} for d, n in worst],
        "suffixes": dict(sorted(by_suffix.items())),
        "first_error": dataclasses.asdict(next(e for e in entries if e.level == "ERROR")) if entries else None,
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cli_app", description="Summarise a build log.")
    parser.add_argument("-v", "--verbose", action="count", default=0)
    sub = parser.add_subparsers(dest="command", required=True)
    summary = sub.add_parser("summary", help="JSON summary of a generated build log")
    summary.add_argument("--lines", type=int, default=400)
    summary.add_argument("--top", type=int, default=3)
    summary.add_argument("--since", type=datetime.date.fromisoformat)
    rerun = sub.add_parser("rerun", help="print the command that rebuilds the targets")
    rerun.add_argument("targets", nargs="+")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING - 10 * args.verbose, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    if args.command == "rerun":
        print(subprocess.list2cmdline(["bazel", "build", "--keep_going", *args.targets]))
        return 0
    entries = sorted(parse(generate_log(args.lines)))
    if args.since is not None:
        entries = [e for e in entries if e.when.date() >= args.since]
    LOG.info("parsed %d entries", len(entries))
    print(json.dumps(summarize(entries, args.top), indent=1, sort_keys=True, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
