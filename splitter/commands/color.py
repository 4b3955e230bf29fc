"""When to colour output: `--color auto|always|never`, and for `auto` the NO_COLOR and FORCE_COLOR conventions.

`auto` (the default): NO_COLOR set and non-empty -> no colour (https://no-color.org); else FORCE_COLOR set and
non-empty -> colour; else colour only when the stream is a terminal.
"""

from __future__ import annotations

import os
import sys
from typing import IO

CHOICES = ("auto", "always", "never")
RESET = "\x1b[0m"
STYLES = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "bold": "\x1b[1m", "dim": "\x1b[2m"}


def normalize_argv(argv: list[str]) -> list[str]:
    """Accept the spellings other tools use: `--color` alone means always, `--no-color` never; `--color WHEN`
    and `--color=WHEN` pass through. Arguments after `--` are left alone."""
    result: list[str] = []
    for index, arg in enumerate(argv):
        if arg == "--":
            return result + argv[index:]
        if arg == "--no-color":
            result.append("--color=never")
        elif arg == "--color" and (index + 1 >= len(argv) or argv[index + 1] not in CHOICES):
            result.append("--color=always")
        else:
            result.append(arg)
    return result


def enabled(mode: str | None = "auto", stream: IO | None = None) -> bool:
    """Whether to colour what goes to `stream` (stdout by default)."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = sys.stdout if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def paint(text: str, style: str, on: bool) -> str:
    return f"{STYLES[style]}{text}{RESET}" if on and style in STYLES else text
