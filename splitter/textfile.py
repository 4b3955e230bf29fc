"""Text files as the user wrote them: encoding (UTF-8 with or without BOM, else cp1252), line endings, indentation.

Every loader reads through here so that an edit can be written back in the file's own encoding, byte for byte
outside the edited spans.
"""

from __future__ import annotations

import codecs
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
    """Return (text, encoding, bom). UTF-8 first; sources saved by older Windows editors fall back to cp1252."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8", True
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = raw.decode("utf-16")
        return text, "utf-16", True
    try:
        return raw.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "cp1252", False


def encode(text: str, encoding: str, bom: bool) -> bytes:
    if encoding == "utf-16":
        return text.encode("utf-16")
    data = text.encode(encoding, errors="strict")
    return codecs.BOM_UTF8 + data if bom and encoding == "utf-8" else data


def detect_newline(text: str) -> str:
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
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise SplitterError(f"file is {size // (1024 * 1024)} MiB, too large to be a source file", path,
                                hint="point lambda-split at the solution, not at build output")
        raw = path.read_bytes()
    except OSError as exc:
        raise SplitterError(f"cannot read file: {exc.strerror}", path) from None
    try:
        text, encoding, bom = decode(raw)
    except UnicodeDecodeError as exc:       # a byte-order mark, then bytes that are not in its encoding
        raise SplitterError(f"not valid {exc.encoding.upper()} text after its byte-order mark", path,
                            hint="save the file again as UTF-8") from None
    return TextFile(path=path, text=text, encoding=encoding, bom=bom, newline=detect_newline(text))
