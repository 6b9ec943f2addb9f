"""Files a hostile or careless student hands the app (issue 14), built in one place.

The core's tests, the explorer's page tests, the browser test and ``bench/hostile_files.py``
all use these, so "the same files" means the same bytes everywhere.
"""

from __future__ import annotations

HEADER = "id: hostile\ntitle: Hostile\nquestion: What breaks?\nstart: 2026-01\nend: 2026-12\n"


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """Nine levels of nine anchors ("billion laughs"): 9**9 strings once expanded."""
    lines = [HEADER.rstrip("\n"), "a0: &a0 [" + ",".join(['"lol"'] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]")
    lines.append(f"parameters: *a{levels - 1}")
    return "\n".join(lines) + "\n"


def nested_brackets(depth: int = 5000) -> str:
    """``parameters:`` followed by 5,000 nested brackets."""
    return HEADER + "parameters: " + "[" * depth + "]" * depth + "\n"


def many_events(count: int, compact: bool = False) -> str:
    """A scenario scheduling ``count`` events (``compact``: as few bytes per event as YAML allows)."""
    if compact:
        body = "".join("- {month: 2026-01, type: x}\n" for _ in range(count))
    else:
        body = "".join(f"  - {{month: 2026-{i % 12 + 1:02d}, type: ballistic_launch}}\n" for i in range(count))
    return HEADER + "events:\n" + body


def recursive_alias() -> str:
    """A list that contains itself."""
    return HEADER + "loop: &a [*a]\nparameters: *a\n"


def long_number(digits: int = 5000) -> str:
    """An integer beyond Python's default limit on digits read from text."""
    return HEADER + f"parameters:\n  trust_decay: {'9' * digits}\n"


def impossible_date() -> str:
    """A date YAML reads as a timestamp, with month 13."""
    return HEADER + "signed: 2025-13-45\n"


def python_object() -> str:
    """A tag that would run code under an unsafe loader."""
    return HEADER + "title: !!python/object/apply:os.system ['echo hacked']\n"


def base_traversal() -> str:
    """A base that tries to leave the shipped scenarios."""
    return HEADER + "base: ../../etc/passwd\n"


def out_of_range_month() -> str:
    """Months that do not exist."""
    return HEADER.replace("end: 2026-12", "end: 2026-13")


BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01"
EMPTY = ""


def all_refused() -> dict[str, str | bytes]:
    """Every hostile file by name, as text (or bytes), small enough to upload (under the upload limit)."""
    return {
        "bomb.yaml": alias_bomb(),
        "nested.yaml": nested_brackets(),
        "recursive.yaml": recursive_alias(),
        "number.yaml": long_number(),
        "date.yaml": impossible_date(),
        "python.yaml": python_object(),
        "traversal.yaml": base_traversal(),
        "month.yaml": out_of_range_month(),
        "events.yaml": many_events(5001, compact=True),
        "binary.yaml": BINARY,
        "empty.yaml": EMPTY,
    }
