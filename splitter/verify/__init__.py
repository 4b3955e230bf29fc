"""Built packages: find them, read their binaries (PE/ReadyToRun, ELF, deps.json) and judge each against its function's CPU."""
