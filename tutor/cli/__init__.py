"""The `tutor` command line: parse, call one library function, format."""

from tutor.cli.main import cli, main

__all__ = ["cli", "main"]
