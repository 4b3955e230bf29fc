"""The repository model: build units, who deploys them, and the projects a migration reads (check reads it, migrate plans from it)."""
