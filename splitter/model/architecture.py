"""The two Lambda CPU architectures and the .NET runtime identifiers (RIDs) that build for them: one mapping."""

from __future__ import annotations

ARCHITECTURES = ("x86_64", "arm64")
RID_CPU = {"x86_64": "x64", "arm64": "arm64"}          # Lambda's architecture -> the RID's CPU part


def rid_cpu(architecture: str) -> str:
    """`x86_64` -> `x64`, `arm64` -> `arm64`."""
    return RID_CPU[architecture]


def linux_rid(architecture: str) -> str:
    """The runtime identifier Lambda's Amazon Linux needs: `linux-x64` or `linux-arm64`."""
    return f"linux-{RID_CPU[architecture]}"


def rid_architecture(rid: str) -> str | None:
    """The Lambda architecture a RID builds for (`linux-musl-arm64` -> arm64), or None when it names neither CPU."""
    rid = rid.strip().lower()
    if rid.endswith("-arm64"):
        return "arm64"
    if rid.endswith("-x64"):
        return "x86_64"
    return None


def other(architecture: str) -> str:
    return "arm64" if architecture == "x86_64" else "x86_64"


PROJECT_SUFFIX = {"x86_64": "X64", "arm64": "Arm64"}   # the function project of each: <Name>.X64, <Name>.Arm64
