"""Units `migrate` always refuses: an executable project with a hand-written Main (a handler naming an assembly,
not `Assembly::Type::Method`) serving functions of both architectures. The Main runs whatever the function, so
lambda-split cannot tell which code each architecture needs; `check` says so up front and `migrate` names every
such unit at once. (Amazon.Lambda.Annotations projects whose generator writes Main are split: not listed here.)"""

from __future__ import annotations

from splitter.errors import SplitterError
from splitter.graph.units import BuildUnit
from splitter.model.template import Function


def hand_written_main(unit: BuildUnit) -> Function | None:
    """The first function of a hazard unit whose handler runs an executable assembly's own Main, if any."""
    if not unit.is_hazard:
        return None
    return next((f for f in unit.functions if f.handler and "::" not in f.handler
                 and not getattr(f, "managed_by_annotations", False)), None)


def hand_written_main_error(unit: BuildUnit, function: Function) -> SplitterError:
    """The one-line refusal for such a unit (the same words `plan` uses)."""
    return SplitterError(
        f"{function.logical_id} runs the executable assembly {function.handler}, whose hand-written Main serves "
        "functions of both architectures; lambda-split cannot split a hand-written Main without risking a "
        "package that does not start", function.template_path, function.line,
        hint="split it by hand: one executable project per architecture, each with its own Main "
             "(Amazon.Lambda.Annotations projects with GenerateMain are split automatically)")


def by_hand(units: list[BuildUnit]) -> list[tuple[BuildUnit, Function]]:
    return [(unit, function) for unit in units if (function := hand_written_main(unit)) is not None]
