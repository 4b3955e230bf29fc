"""A deployer of a template and what it does to a shared CodeUri: Amazon.Lambda.Tools, CDK assets and
serverless.yml artifacts build it once for every architecture (the hazard); SAM CLI builds it once per architecture;
the Amazon.Lambda.Annotations generator builds nothing. graph/deployers.py finds them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

DOTNET_LAMBDA, SAM, ANNOTATIONS, CDK, SERVERLESS = "dotnet-lambda", "sam", "annotations", "cdk", "serverless"
BUILDS_ONCE = frozenset({DOTNET_LAMBDA, CDK, SERVERLESS})      # one build serves every architecture: hazard-prone
MODES = ("auto", DOTNET_LAMBDA, SAM)                           # --deployer
NAMES = {DOTNET_LAMBDA: "Amazon.Lambda.Tools (dotnet lambda deploy-serverless)", SAM: "SAM CLI (sam build)",
         ANNOTATIONS: "the Amazon.Lambda.Annotations generator", CDK: "the CDK", SERVERLESS: "the Serverless Framework"}
SAMCONFIG_NAMES = ("samconfig.toml", "samconfig.yaml", "samconfig.yml")
SAM_TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")
ANNOTATIONS_PACKAGE = "amazon.lambda.annotations"


@dataclass(frozen=True)
class Deployer:
    """One deployer of one template, with its evidence: the file that says so (if any) and what it says."""
    name: str                       # one of DOTNET_LAMBDA, SAM, ANNOTATIONS, CDK, SERVERLESS
    config: Path | None
    detail: str
    assumed: bool = False           # nothing named the template: Amazon.Lambda.Tools is the conservative guess

    @property
    def builds(self) -> bool:
        return self.name != ANNOTATIONS

    @property
    def builds_once(self) -> bool:
        """Whether it builds a unit once for every architecture (the hazard) rather than once per architecture."""
        return self.name in BUILDS_ONCE

    @property
    def title(self) -> str:
        return NAMES.get(self.name, self.name)

    def evidence(self, relative: Callable[[Path], str]) -> str:
        return f"{relative(self.config)} {self.detail}" if self.config is not None else self.detail


def deciding(deployers: Iterable[Deployer]) -> Deployer | None:
    """The deployer that decides whether a unit is a hazard: any that builds once for every architecture, else the
    first that builds at all."""
    building = [d for d in deployers if d.builds]
    return next((d for d in building if d.builds_once), building[0] if building else None)


# -- assigning ---------------------------------------------------------------------------------------------------------
