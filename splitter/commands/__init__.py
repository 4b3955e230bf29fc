"""The four commands, each one pipeline call plus its output (text, JSON)."""
