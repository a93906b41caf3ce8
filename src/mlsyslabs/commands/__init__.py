"""Subcommands of the `mlsyslabs` command, one module per family."""


class UserError(Exception):
    """A mistake in what the user asked for: printed as one line, exit code 2."""

    def __init__(self, message: str, **extra):
        super().__init__(message)
        self.extra = extra
