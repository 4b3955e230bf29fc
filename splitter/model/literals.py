"""How a scalar is written in a template's format: JSON strings, or YAML plain and quoted scalars."""

from __future__ import annotations

import json
import re

from splitter.model.nodes import Node

PLAIN_SAFE = re.compile(r"^[A-Za-z0-9_.~/][A-Za-z0-9_.~/:+\-]*$")


def scalar_text(value: str, fmt: str, like: Node | None = None) -> str:
    """A string value written as the file writes its neighbour `like` (quote style kept where possible)."""
    if fmt == "json":
        return json.dumps(value, ensure_ascii=False)
    style = like.style if like is not None else None
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == '"' or not PLAIN_SAFE.match(value) or value in ("true", "false", "null", "~", "yes", "no"):
        return json.dumps(value, ensure_ascii=False)
    return value
