"""Every place in the repository that names the folder of a project being split, outside what lambda-split reads as
a template, an app function or a solution: a custom CDK construct's call site, a TypeScript CDK app, a build
script, a pipeline file. After the split such a file would still build the library, whose handlers moved, so
migrate must retarget each one or say which it could not (plan/consumers.py decides which of these the plan
rewrote).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SCANNED_SUFFIXES = (".cs", ".fs", ".ts", ".mts", ".js", ".mjs", ".cjs", ".py", ".sh", ".bash", ".ps1", ".psm1",
                    ".cmd", ".bat", ".yml", ".yaml", ".json", ".toml", ".tf", ".template")
SCANNED_NAMES = ("Makefile", "Dockerfile", "Justfile", "build.cake")
NOT_CONSUMERS = ("aws-lambda-tools-defaults.json", "package-lock.json", "launchSettings.json")
COMMENT_STARTS = ("//", "#", "/*", "*", "<!--", "REM ", "rem ", "::")
MAX_BYTES = 1_000_000
# What makes a file a consumer: it packages or deploys code from a folder. A test, a README-like script or a CI step
# that builds or tests the project (`dotnet test src/Orders`) still works after the split (the folder stays, as the
# library), and templates deployed with `deploy-serverless`/`sam` are read as templates; so only files that use a
# Lambda construct, an asset, or package a project as a function are asked about.
DEPLOYS = re.compile(r"FromAsset|from_asset|fromAsset|ProjectDir|project_dir|projectDir|DotNetFunction|"
                     r"lambda\.Function|aws_lambda|aws-lambda|Amazon\.CDK\.AWS\.Lambda|lambda\s+package|"
                     r"deploy-function|aws_lambda_function|source_dir|CodeUri|\bCode\s*[:=]|\bartifact\b")


@dataclass(frozen=True)
class Mention:
    path: Path              # resolved
    line: int               # 1-based
    text: str               # the line, stripped
    written: str            # the path as the file writes it


class ConsumerFiles:
    """The files of the tree that can be consumers (by kind and place: not tests, not build output), each read and
    searched for a deploying construct at most once a run: a monorepo asks for each project it splits."""

    def __init__(self, files: list[Path]):
        self.files = [(path, str(path)) for path in files if _scanned(path)]
        self._texts: dict[str, str | None] = {}
        self._deploys: dict[str, bool] = {}

    def text(self, path: Path, key: str) -> str | None:
        if key not in self._texts:
            self._texts[key] = _read(path)
        return self._texts[key]

    def deploys(self, key: str, text: str) -> bool:
        """The text holds a deploying construct (asked only of texts that name a folder being split: the search
        costs more than the read)."""
        if key not in self._deploys:
            self._deploys[key] = DEPLOYS.search(text) is not None
        return self._deploys[key]


def mentions_of(root: Path, folder: Path, files: ConsumerFiles) -> list[Mention]:
    """Lines of `files` (below root) that name `folder` as a path: relative to the root or to the file's own
    folder, with or without `./`, followed by the end of the path or a `/`. Comment lines are skipped. The cheap
    tests come first (the file's place, the folder's name in its text, a deploying construct): a repository of
    thousands of files is mostly read once and never matched."""
    found: list[Mention] = []
    folder = folder.resolve()
    inside = str(folder) + os.sep
    patterns: dict[Path, tuple[set[str], re.Pattern]] = {}
    for path, key in files.files:
        if key.startswith(inside):
            continue
        text = files.text(path, key)
        if text is None or folder.name not in text or not files.deploys(key, text):
            continue
        if path.parent not in patterns:
            # relative to the file's folder or any folder above it up to the root (a CDK app runs from its cdk.json)
            bases = [path.parent] + [p for p in path.parent.parents if p == root or root in p.parents]
            forms = {os.path.relpath(folder, base).replace(os.sep, "/") for base in bases} - {"."}
            patterns[path.parent] = forms, re.compile(
                r"(?<![\w./\\-])(?:\./)?(" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
                + r")(?![\w.-])")
        forms, pattern = patterns[path.parent]
        if not any(form in text for form in forms):
            continue
        resolved = None
        for number, line, written in _matching_lines(text, pattern, forms):
            stripped = line.strip()
            if not stripped.startswith(COMMENT_STARTS):
                resolved = resolved or path.resolve()
                found.append(Mention(resolved, number, stripped, written))
    return found


# Line breaks str.splitlines knows besides "\n" and "\r\n" (and a "\r" alone).
_OTHER_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _matching_lines(text: str, pattern: re.Pattern, forms) -> Iterator[tuple[int, str, str]]:
    """(1-based number, line, first match) of each line where `pattern` matches, as `text.splitlines()` numbers
    them. `pattern` only matches where one of `forms` occurs: only those lines are searched (a template of
    thousands of lines has a few), found with str.find, unless the text breaks lines in a way only splitlines
    knows."""
    if any(mark in text for mark in _OTHER_BREAKS) or ("\r" in text and text.count("\r") != text.count("\r\n")):
        for number, line in enumerate(text.splitlines(), 1):
            match = pattern.search(line)
            if match:
                yield number, line, match.group(1)
        return
    starts = set()                               # the start of each line holding a form
    for form in forms:
        at = text.find(form)
        while at >= 0:
            starts.add(text.rfind("\n", 0, at) + 1)
            at = text.find(form, at + len(form))
    number, counted = 1, 0
    for start in sorted(starts):
        number += text.count("\n", counted, start)
        counted = start
        end = text.find("\n", start)
        line = (text[start:] if end < 0 else text[start:end]).removesuffix("\r")
        match = pattern.search(line)
        if match:
            yield number, line, match.group(1)


def _read(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


TEST_FOLDERS = re.compile(r"^(?:tests?|specs?|.*[.-]tests?|.*tests)$", re.IGNORECASE)


def _scanned(path: Path) -> bool:
    if path.name in NOT_CONSUMERS:         # the file list already skips build output and tool folders
        return False
    if not (path.suffix.lower() in SCANNED_SUFFIXES or path.name in SCANNED_NAMES):
        return False
    return not _in_tests(path.parent)     # tests run the code, they do not deploy it


@functools.lru_cache(maxsize=4096)
def _in_tests(folder: Path) -> bool:
    return any(TEST_FOLDERS.match(part) for part in folder.parts)
