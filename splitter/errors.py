"""The one error type a user can cause: it carries the file, the line and a hint, and the CLI prints it as one line."""

from __future__ import annotations

from pathlib import Path


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
        return f"{text} ({self.hint})" if self.hint else text

    def to_json(self) -> dict:
        return {"path": str(self.path) if self.path else None, "line": self.line,
                "message": self.message, "hint": self.hint}
