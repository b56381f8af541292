"""The version of omkit, one place for the CLI, the reports and the package."""

__version__ = "0.1.0"
