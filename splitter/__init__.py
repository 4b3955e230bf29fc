"""lambda-split: find and fix .NET Lambda projects that build x86_64 and arm64 functions from one package."""

__version__ = "0.1.0"
