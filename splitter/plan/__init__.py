"""Pure planning: the repository model in, a Plan (decisions plus a change set) out; no file is read or written here."""
