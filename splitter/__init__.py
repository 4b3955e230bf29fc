"""lambda-split: find and fix .NET Lambda projects that build x86_64 and arm64 functions from one package."""


def __getattr__(name: str) -> str:
    """`splitter.__version__`, read on first use (importlib.metadata costs ~25 ms of every start otherwise)."""
    if name != "__version__":
        raise AttributeError(name)
    from importlib import metadata
    try:    # the one version source is pyproject.toml, read from the installed package's metadata
        version = metadata.version("lambda-split")
    except metadata.PackageNotFoundError:   # run from a source tree that was never installed
        version = "0+unknown"
    globals()["__version__"] = version
    return version
