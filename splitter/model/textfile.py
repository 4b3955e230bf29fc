"""Text files as the user wrote them: encoding (UTF-8 with or without BOM, else cp1252), line endings, indentation.

Every loader reads through here so that an edit can be written back in the file's own encoding, byte for byte
outside the edited spans.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass
from pathlib import Path

from splitter.errors import SplitterError

# Files larger than this are not source files a person wrote; refuse rather than spend minutes on them.
MAX_TEXT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class TextFile:
    path: Path
    text: str          # decoded, without the BOM
    encoding: str      # "utf-8" or "cp1252"
    bom: bool
    newline: str       # the dominant line ending: "\r\n" or "\n"

    @property
    def raw(self) -> bytes:
        return encode(self.text, self.encoding, self.bom)

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset."""
        return self.text.count("\n", 0, offset) + 1

    def indent_unit(self, default: str = "  ") -> str:
        return detect_indent(self.text, default)


def decode(raw: bytes) -> tuple[str, str, bool]:
    """Return (text, encoding, bom). UTF-8 first; sources saved by older Windows editors fall back to cp1252.

    Every encoding round-trips byte for byte through `encode`: a UTF-16 file keeps its byte order, and the five
    bytes cp1252 leaves undefined (often the tail of a UTF-8 character in a mixed-encoding file) come back as
    they were."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8", True
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            return raw[len(bom):].decode(encoding), encoding, True
    try:
        return raw.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors=_CP1252_HOLES), "cp1252", False


def encode(text: str, encoding: str, bom: bool) -> bytes:
    if encoding == "cp1252":
        return text.encode(encoding, errors=_CP1252_HOLES)
    data = text.encode(encoding, errors="strict")
    return _BOMS[encoding] + data if bom else data


_BOMS = {"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}


# Windows maps the bytes cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) to the C1 controls of the same number;
# so do we, in both directions, instead of replacing them with U+FFFD (which loses the byte and cannot be written back).
_CP1252_HOLES = "lambda-split-cp1252-holes"
_UNDEFINED_IN_CP1252 = frozenset((0x81, 0x8D, 0x8F, 0x90, 0x9D))


def _keep_cp1252_holes(error: UnicodeError) -> tuple[str | bytes, int]:
    if isinstance(error, UnicodeDecodeError) and error.object[error.start] in _UNDEFINED_IN_CP1252:
        return chr(error.object[error.start]), error.start + 1
    if isinstance(error, UnicodeEncodeError) and ord(error.object[error.start]) in _UNDEFINED_IN_CP1252:
        return bytes([ord(error.object[error.start])]), error.start + 1
    raise error


codecs.register_error(_CP1252_HOLES, _keep_cp1252_holes)


def detect_newline(text: str) -> str:
    if "\r" not in text:           # one scan for the common case (every file of a project is read)
        return "\n"
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    return "\r\n" if crlf > lf else "\n"


_INDENT = re.compile(r"^([ \t]+)\S", re.MULTILINE)


def detect_indent(text: str, default: str = "  ") -> str:
    """The smallest indentation step used in the file (tabs win if lines start with tabs)."""
    widths = []
    for match in _INDENT.finditer(text):
        lead = match.group(1)
        if lead.startswith("\t"):
            return "\t"
        widths.append(len(lead))
    if not widths:
        return default
    step = min(w for w in widths if w > 0)
    return " " * step


def read_text(path: Path) -> TextFile:
    try:
        with open(path, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size > MAX_TEXT_BYTES:
                raise SplitterError(f"file is {size // (1024 * 1024)} MiB, too large to be a source file", path,
                                    hint="point lambda-split at the solution, not at build output")
            raw = file.read()
    except OSError as exc:
        raise SplitterError(f"cannot read file: {exc.strerror}", path) from None
    return text_from_bytes(path, raw)


def text_from_bytes(path: Path, raw: bytes) -> TextFile:
    """The text of bytes already read (or planned: the self-check loads the tree a plan would write) at path."""
    try:
        text, encoding, bom = decode(raw)
    except UnicodeDecodeError as exc:       # a byte-order mark, then bytes that are not in its encoding
        raise SplitterError(f"not valid {exc.encoding.upper()} text after its byte-order mark", path,
                            hint="save the file again as UTF-8") from None
    return TextFile(path=path, text=text, encoding=encoding, bom=bom, newline=detect_newline(text))
