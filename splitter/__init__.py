"""lambda-split: find and fix .NET Lambda projects that build x86_64 and arm64 functions from one package."""

from importlib import metadata as _metadata

try:        # the one version source is pyproject.toml, read from the installed package's metadata
    __version__ = _metadata.version("lambda-split")
except _metadata.PackageNotFoundError:      # run from a source tree that was never installed
    __version__ = "0+unknown"
