"""The one error type a user can cause: it carries the file, the line and a hint, and the CLI prints it as one line."""

from __future__ import annotations

import re
from pathlib import Path

# What must never reach a terminal raw from user text: control characters (C0 but the tab, DEL, C1), line and
# paragraph separators, bidirectional overrides, and lone surrogates (undecodable bytes of a file name).
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` with each character a terminal would act on written as an escape (`\\x1b`, `\\x00`, `\\n`,
    `\\u202e`), as repr() writes it: every message that quotes a CodeUri, a handler or a file name goes through
    here, so a NUL or an ESC sequence in the input is shown, never obeyed, and a message stays one line."""
    return _UNPRINTABLE.sub(_escape, text)


def printable_lines(text: str) -> str:
    """`printable` for a report of several lines: each line escaped, the line breaks between them kept."""
    return "\n".join(printable(line) for line in text.split("\n"))


def _escape(match: re.Match) -> str:
    char = match.group()
    named = {"\n": "\\n", "\r": "\\r"}.get(char)
    if named:
        return named
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def shown_path(path: Path) -> str:
    """A path as messages print it: relative to the current folder when it lies below it, else as given."""
    try:
        cwd = Path.cwd().resolve()
        absolute = path if path.is_absolute() else cwd / path
        return absolute.relative_to(cwd).as_posix() or "."
    except (ValueError, OSError):
        return str(path)


class SplitterError(Exception):
    """Bad input or usage: printed as `path:line: message (hint)` and exit code 2."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None,
                 hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.hint = hint

    def location(self) -> str:
        if self.path is None:
            return ""
        shown = shown_path(self.path)
        return f"{shown}:{self.line}" if self.line else shown

    def __str__(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        return printable(f"{text} ({self.hint})" if self.hint else text)

    def to_json(self) -> dict:
        return {"path": str(self.path) if self.path else None, "line": self.line,
                "message": self.message, "hint": self.hint}
