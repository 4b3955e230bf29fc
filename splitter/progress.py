"""Progress for commands that run longer than a second: one line on stderr, rewritten in place with `\\r`, only when
stderr is a terminal (never in a pipe or a file), and erased before anything else is printed.

Stages wrap their loops: `for path in progress.each(paths, "reading templates"): ...`.
"""

from __future__ import annotations

import shutil
import sys
import time
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator, TextIO, TypeVar

DELAY = 1.0          # seconds of silence before the first line: a quick command never shows one
INTERVAL = 0.1       # at most ten updates a second
T = TypeVar("T")


class Progress:
    def __init__(self, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic,
                 delay: float = DELAY):
        self.stream = stream                     # None: whatever sys.stderr is when writing
        self.clock = clock
        self.delay = delay
        self.started = clock()
        self.shown = 0                           # width of the line now on the terminal
        self.updated = float("-inf")

    def each(self, items: Iterable[T], label: str) -> Iterator[T]:
        """The items, one at a time, with `label n/total` shown while they are worked on; erased at the end."""
        total = len(items) if hasattr(items, "__len__") else None
        try:
            for number, item in enumerate(items, 1):
                self.show(f"{label} {number}/{total}" if total is not None else f"{label} {number}")
                yield item
        finally:
            self.clear()

    def show(self, text: str) -> None:
        now = self.clock()
        if now - self.started < self.delay or now - self.updated < INTERVAL or not self._on_terminal():
            return
        self.updated = now
        width = max(10, shutil.get_terminal_size((80, 24)).columns - 1)   # a wrapped line cannot be rewritten
        line = f"lambda-split: {text}"[:width]
        self._write("\r" + line + " " * max(0, self.shown - len(line)))
        self.shown = len(line)

    def clear(self) -> None:
        if self.shown:
            self._write("\r" + " " * self.shown + "\r")
            self.shown = 0
            self.updated = float("-inf")

    def _on_terminal(self) -> bool:
        try:
            return bool(self._stream().isatty())
        except (AttributeError, ValueError):     # a closed or unusual stream
            return False

    def _stream(self) -> TextIO:
        return self.stream if self.stream is not None else sys.stderr

    def _write(self, text: str) -> None:
        stream = self._stream()
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):
            pass                                 # progress is never worth failing a command over


_progress = Progress()


def each(items: Iterable[T], label: str) -> Iterator[T]:
    return _progress.each(items, label)


@contextmanager
def cleared() -> Iterator[None]:
    """Erase any progress line on the way out, errors included, so that what follows starts on a clean line."""
    try:
        yield
    finally:
        _progress.clear()
