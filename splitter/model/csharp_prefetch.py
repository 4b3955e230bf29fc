"""The declarations of C# files `migrate` is about to ask for, parsed ahead in a second process while this one goes
on resolving the input's handlers and building the word index.

Parsing the files that declare the handler types is the largest single step of `migrate` on a big project (hundreds
of files through tree-sitter), and nothing before the plan needs it. A forked child walks the files from the first,
parsing each one that may declare a handler type; when the plan asks its first question, this process walks them
from the last, parsing the same way, until the two meet (a byte per file in shared memory says who took it). The
child hands back what `CsFile` would have read itself (types, usings, namespaces, ...), pickled, each declaration
linked to this process's own `CsFile`. A file neither parsed (or every file, when the child fails in any way) parses
itself on its first question, as it always does. The answer never depends on the child: only where a parse ran.

Only on Linux (fork hands the child the texts already read), in a process of one thread, and for enough files to be
worth a process. `LAMBDA_SPLIT_PREFETCH=0` turns it off.
"""

from __future__ import annotations

import io
import mmap
import os
import pickle
import sys
import threading
import weakref
from collections.abc import Iterable

try:
    import fcntl
except ImportError:      # Windows: no fork either, so no prefetch
    fcntl = None        # type: ignore[assignment]

from splitter.model.csharp import DECLARATIONS, CsFile
from splitter.model.csharp_words import declared_type_names

_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)   # Linux's, named by fcntl from Python 3.10
_MAX_FD = 1 << 16
MIN_FILES = 100                 # below this, parsing here costs less than starting a process
_FREE, _CHILD, _HERE = 0, 1, 2  # who took a file (one byte each, shared)


class Prefetch:
    """A child parsing some of `files`; `wait()` parses the rest of what it would have, then installs the child's
    results (once)."""

    def __init__(self, pid: int, fd: int, taken: mmap.mmap, files: list[CsFile], names: frozenset[str]):
        self.pid, self.fd, self.taken, self.files, self.names = pid, fd, taken, files, names
        self.done = False
        self._reap = weakref.finalize(self, _reap, pid, fd, taken)

    def wait(self) -> None:
        if self.done:
            return
        self.done = True
        for number in range(len(self.files) - 1, -1, -1):          # from the last file, until the child's
            if self.taken[number] != _FREE:
                break
            self.taken[number] = _HERE
            cs = self.files[number]
            try:
                if not cs.parsed and concerns(cs, self.names):
                    cs._parse()
            except Exception:       # noqa: BLE001  half read: forgotten, to parse again (and fail) when asked
                for name in DECLARATIONS:
                    cs.__dict__.pop(name, None)
                break
        results: list[tuple[int, dict]] = []
        try:
            with os.fdopen(self.fd, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(self.pid, 0)
            if os.waitstatus_to_exitcode(status) == 0:
                results = _load_all(data, self.files)
        except Exception:           # noqa: BLE001  a child that failed in any way: its files parse here instead
            results = []
        finally:
            self._reap.detach()
            self.taken.close()
        for number, declarations in results:
            cs = self.files[number]
            if not cs.parsed:       # parsed here meanwhile: that parse stands
                cs.__dict__.update(declarations)
        for cs in self.files:
            cs.__dict__.pop("_prefetch", None)


def concerns(cs: CsFile, names: frozenset[str]) -> bool:
    """The file may declare a type called one of `names` (or holds unicode escapes, which can spell one)."""
    text = cs.text
    return "\\u" in text or "\\U" in text or not names.isdisjoint(declared_type_names(text))


def start(files: list[CsFile], names: Iterable[str]) -> Prefetch | None:
    """Start a child parsing the files of `files` that may declare a type called one of `names`; None when no child
    is worth starting here (the files parse themselves when asked, as without a prefetch)."""
    names = frozenset(names)
    if not names or len(files) < MIN_FILES or not _can_fork():
        return None
    taken = mmap.mmap(-1, len(files))           # anonymous and shared with the child
    read, write = os.pipe()
    try:
        fcntl.fcntl(write, _F_SETPIPE_SZ, 1 << 20)    # room for the whole answer: the child ends without waiting
    except OSError:                                   # for a reader (beyond the system's limit: a smaller pipe)
        pass
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        taken.close()
        return None
    if pid == 0:                                # the child: never returns
        code = 1
        try:
            # Nothing of the parent's but the pipe: a run lock (flock) held through an inherited descriptor would
            # outlive the parent's release of it.
            os.closerange(3, write)
            os.closerange(write + 1, _MAX_FD)
            data = _parse_from_first(files, names, taken)
            with os.fdopen(write, "wb") as pipe:
                pipe.write(data)
            code = 0
        except BaseException:                   # noqa: BLE001  the parent parses instead; nothing is printed here
            pass
        finally:
            os._exit(code)
    os.close(write)
    handle = Prefetch(pid, read, taken, files, names)
    for cs in files:
        if not cs.parsed:
            cs.__dict__["_prefetch"] = handle
    return handle


def _parse_from_first(files: list[CsFile], names: frozenset[str], taken: mmap.mmap) -> bytes:
    """The child's part: from the first file on, until one the parent took; each file's declarations pickled as
    soon as they are read."""
    buffer = io.BytesIO()
    pickler = _Pickler(buffer, files)
    for number, cs in enumerate(files):
        if taken[number] != _FREE:
            break
        taken[number] = _CHILD
        if not cs.parsed and concerns(cs, names):
            cs._parse()
            pickler.dump((number, {name: cs.__dict__[name] for name in DECLARATIONS}))
    return buffer.getvalue()


def _load_all(data: bytes, files: list[CsFile]) -> list[tuple[int, dict]]:
    stream = io.BytesIO(data)
    unpickler = _Unpickler(stream, files)
    found = []
    while stream.tell() < len(data):
        found.append(unpickler.load())
    return found


def _can_fork() -> bool:
    return (sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1
            and os.environ.get("LAMBDA_SPLIT_PREFETCH", "1") != "0")


def _reap(pid: int, fd: int, taken: mmap.mmap) -> None:
    """A prefetch nobody waited for (the run stopped before its plan): tell the child every file is taken (it stops
    after the file at hand), close the pipe, collect the child."""
    try:
        if not taken.closed:
            taken[:] = bytes([_HERE]) * len(taken)
    except (ValueError, OSError):
        pass
    try:
        os.close(fd)
    except OSError:
        pass
    try:
        os.waitpid(pid, 0)
    except OSError:
        pass


class _Pickler(pickle.Pickler):
    """Declarations pickled with each CsFile they point to as its number in `files` (the parent has its own)."""

    def __init__(self, file, files: list[CsFile]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.numbers = {id(cs): number for number, cs in enumerate(files)}

    def persistent_id(self, obj):
        if isinstance(obj, CsFile):
            return self.numbers[id(obj)]        # a file outside `files` fails the child: the parent parses
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, files: list[CsFile]):
        super().__init__(file)
        self.files = files

    def persistent_load(self, number):
        return self.files[number]
