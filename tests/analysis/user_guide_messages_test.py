"""Every message quoted in the user guide's table of analysis errors is asserted by a test.

Usage: user_guide_messages_test.py ASSERTED_MESSAGES_JSON USER_GUIDE_MD

The table is the one under "## Error messages" up to "Actions (": each `code span` of its
first column must occur in a message an analysis test asserts, with `...` standing for any
text, `//x:NAME` for any label and `<setting>` for an attribute name.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def quoted_messages(guide: str) -> list[str]:
    """The code spans of the first column of the analysis-error table."""
    start = guide.index("## Error messages")
    table = guide[start:guide.index("Actions (", start)]
    quotes = []
    for line in table.splitlines():
        if line.startswith("| `"):
            first_column = line.split(" | ")[0]
            quotes += re.findall(r"`([^`]+)`", first_column)
    return quotes


def pattern(quote: str) -> re.Pattern[str]:
    """A regular expression for `quote`, its placeholders widened."""
    text = re.escape(quote)
    text = text.replace(re.escape("..."), ".*")
    text = re.sub(r"//x:\w+", lambda _: r"//[\w/]*:\w+", text)
    text = text.replace(re.escape("<setting>"), r"\w+")
    return re.compile(text)


def unasserted(quotes: list[str], messages: list[str]) -> list[str]:
    """The quotes no asserted message contains."""
    return [q for q in quotes if not any(pattern(q).search(m) for m in messages)]


def main(argv: list[str]) -> int:
    messages = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    quotes = quoted_messages(Path(argv[2]).read_text(encoding="utf-8"))
    if len(quotes) < 10:
        print(f"found only {len(quotes)} quoted messages in {argv[2]}: did the table move?")
        return 1
    missing = unasserted(quotes, messages)
    for quote in missing:
        print(f"{argv[2]}: `{quote}` is not a message any analysis test asserts")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
