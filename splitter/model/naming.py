"""Names a user gives lambda-split for code it generates: C# identifiers, dotted solution names, CloudFormation
logical IDs. Each check raises a one-line `SplitterError` naming what is wrong."""

from __future__ import annotations

import re
import unicodedata

from splitter.errors import SplitterError

CSHARP_KEYWORDS = frozenset("""
    abstract as base bool break byte case catch char checked class const continue decimal default delegate do
    double else enum event explicit extern false finally fixed float for foreach goto if implicit in int interface
    internal is lock long namespace new null object operator out override params private protected public readonly
    ref return sbyte sealed short sizeof stackalloc static string struct switch this throw true try typeof uint
    ulong unchecked unsafe ushort using virtual void volatile while
""".split())

# Contextual keywords are legal identifiers, but as type or namespace names they break or confuse code.
CSHARP_CONTEXTUAL_KEYWORDS = frozenset("""
    add alias and args ascending async await by descending dynamic equals file from get global group init into
    join let managed nameof nint not notnull nuint on or orderby partial record remove required scoped select set
    unmanaged value var when where with yield
""".split())

# Folder and file names Windows cannot create, whatever the extension.
WINDOWS_DEVICE_NAMES = frozenset(["con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                                  *(f"lpt{i}" for i in range(1, 10))])

LOGICAL_ID = re.compile(r"[A-Za-z0-9]+")
# C# identifier characters by Unicode category (ECMA-334, Identifiers). Python's str.isidentifier also accepts
# Other_ID_Start symbols such as U+2118 (Sm), which the C# compiler rejects.
CSHARP_START = frozenset(("Lu", "Ll", "Lt", "Lm", "Lo", "Nl"))
CSHARP_PART = CSHARP_START | {"Mn", "Mc", "Nd", "Pc", "Cf"}
MAX_LOGICAL_ID = 255


def keyword_problem(name: str) -> str | None:
    if name in CSHARP_KEYWORDS:
        return "is a C# keyword"
    if name in CSHARP_CONTEXTUAL_KEYWORDS:
        return "is a C# contextual keyword"
    return None


def is_csharp_identifier(name: str) -> bool:
    """A letter or `_` first, then letters, digits, `_` and combining or formatting marks, as C# reads them."""
    return bool(name) and (name[0] == "_" or unicodedata.category(name[0]) in CSHARP_START) and all(
        c == "_" or unicodedata.category(c) in CSHARP_PART for c in name[1:])


def _check_word(word: str, subject: str, example: str) -> None:
    """One identifier: `subject` names it in the error (`function name 'x'`, `solution name 'a.b': segment 'b'`)."""
    if not is_csharp_identifier(word):
        raise SplitterError(f"{subject} is not a C# identifier (letters, digits and _, not starting with a digit)",
                            hint=example)
    problem = keyword_problem(word)
    if problem:
        raise SplitterError(f"{subject} {problem}", hint="choose another name")


def check_identifier(name: str, what: str) -> None:
    """A C# identifier: a letter or `_` first, then letters, digits or `_`; no keyword."""
    _check_word(name, f"{what} {name!r}", "for example Orders or OrderService")
    if name.lower() in WINDOWS_DEVICE_NAMES:
        raise SplitterError(f"{what} {name!r} is a reserved device name on Windows", hint="choose another name")


def check_dotted_name(name: str, what: str = "solution name") -> list[str]:
    """A dotted name such as `Acme.Orders`: each segment a C# identifier. Returns the segments."""
    if not name:
        raise SplitterError(f"{what} is empty", hint="for example Acme.Orders")
    segments = name.split(".")
    if any(not segment for segment in segments):
        raise SplitterError(f"{what} {name!r} has an empty segment (a leading, trailing or doubled dot)",
                            hint="for example Acme.Orders")
    for segment in segments:
        _check_word(segment, f"{what} {name!r}: segment {segment!r}", "for example Acme.Orders")
    if segments[0].lower() in WINDOWS_DEVICE_NAMES:
        raise SplitterError(f"{what} {name!r} starts with a reserved device name on Windows",
                            hint="choose another name")
    return segments


def check_logical_id(name: str, what: str = "function name") -> None:
    """A CloudFormation logical ID: ASCII letters and digits only, at most 255 characters."""
    if not LOGICAL_ID.fullmatch(name):
        raise SplitterError(f"{what} {name!r} is not a valid CloudFormation logical ID (letters and digits only)",
                            hint="for example GetOrder")
    if len(name) > MAX_LOGICAL_ID:
        raise SplitterError(f"{what} {name[:20]!r}... is longer than the {MAX_LOGICAL_ID} characters "
                            "CloudFormation allows in a logical ID")


def stack_name(name: str, suffix: str = "") -> str:
    """A CloudFormation stack name from a solution name: letters, digits and hyphens, starting with a letter."""
    text = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
    if not text or not text[0].isalpha():
        text = "stack-" + text if text else "stack"
    return f"{text}-{suffix}" if suffix else text
