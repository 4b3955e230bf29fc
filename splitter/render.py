"""The Jinja2 environment over `templates/`: every file lambda-split generates (csproj, defaults, C#) comes from here."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2


def templates_dir() -> Path:
    here = Path(__file__).resolve().parent
    packaged = here / "templates"          # installed wheel: templates/ is shipped inside the package
    return packaged if packaged.is_dir() else here.parent / "templates"


@lru_cache(maxsize=1)
def environment() -> "jinja2.Environment":
    import jinja2                # only commands that write files render: `check` never pays for the import
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["json"] = _json_value
    env.filters["xml"] = _xml_escape
    return env


def _json_value(value, indent: int = 2, level: int = 1) -> str:
    """JSON for a value nested `level` deep in a two-space-indented document (lists and objects on lines)."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return text.replace("\n", "\n" + " " * (indent * level))


def _xml_escape(value: str) -> str:
    return (str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def render(name: str, newline: str = "\n", indent: str | None = None, **context) -> str:
    """Render a template with LF line endings, then convert to the target's newline and indentation unit.

    Templates are written with two-space indentation; `indent` swaps that unit for the solution's own.
    """
    text = environment().get_template(name).render(**context)
    if indent is not None and indent != "  ":
        text = "\n".join(_reindent(line, indent) for line in text.split("\n"))
    return text.replace("\n", newline) if newline != "\n" else text


def _reindent(line: str, unit: str) -> str:
    stripped = line.lstrip(" ")
    depth = (len(line) - len(stripped)) // 2
    extra = (len(line) - len(stripped)) % 2
    return unit * depth + " " * extra + stripped
