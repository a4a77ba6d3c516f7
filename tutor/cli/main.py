"""The `tutor` command group: one module per command, imported only when that command runs."""

from __future__ import annotations

import importlib
import logging
import os
from typing import Any

import click

from tutor.cli.common import print_json
from tutor.core.errors import TutorError

# name -> "module:attribute". Explicit, so `tutor --help` and each command import only what
# they need; plug-ins (e.g. `tutor eval`) add theirs through the `tutor.plugins` entry points.
COMMANDS: dict[str, str] = {
    "ingest": "tutor.cli.ingest:ingest",
    "search": "tutor.cli.search:search",
    "grade": "tutor.cli.grade:grade",
    "ask": "tutor.cli.ask:ask",
    "cards": "tutor.cli.cards:cards",
    "guides": "tutor.cli.guides:guides",
    "rubric": "tutor.cli.rubric:rubric",
    "interview": "tutor.cli.interview:interview",
    "report": "tutor.cli.interview:report",
    "profiles": "tutor.cli.profiles:profiles", "profile": "tutor.cli.profiles:profile",
    "ui": "tutor.cli.ui:ui",
    "calibrate": "tutor.cli.calibrate:calibrate",
}
PLUGIN_GROUP = "tutor.plugins"
log = logging.getLogger(__name__)


class TutorGroup(click.Group):
    """Lazy commands and plug-ins; library errors become one line on stderr and a non-zero exit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plugins_loaded = False

    def load_plugins(self) -> None:
        """Let each installed plug-in register its commands (entry points `tutor.plugins`)."""
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        from importlib.metadata import entry_points

        for entry in entry_points(group=PLUGIN_GROUP):
            try:
                entry.load()(self)
            except ImportError as exc:  # a plug-in's optional dependency is missing
                log.warning("plug-in %s not loaded: %s", entry.name, exc)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is not None:
            module, _, attribute = target.partition(":")
            command: click.Command = getattr(importlib.import_module(module), attribute)
            return command
        self.load_plugins()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self.load_plugins()
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def invoke(self, ctx: click.Context) -> Any:
        wants_json = "--json" in [*getattr(ctx, "_protected_args", []), *ctx.args]
        try:
            return super().invoke(ctx)
        except TutorError as exc:
            if os.environ.get("TUTOR_DEBUG"):
                raise
            click.echo(f"error: {exc}", err=True)
            if wants_json:
                print_json({"error": str(exc)})  # a script reading stdout learns why too
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


@click.group(cls=TutorGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log progress and fallbacks to stderr.")
@click.version_option(package_name="tutor")
def cli(verbose: bool) -> None:
    """tutor: mock interviews, answer grading and Q&A over a GenAI interview guide."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not verbose:  # a damaged PDF is reported as one line of ours, not pypdf's own warnings
        logging.getLogger("pypdf").setLevel(logging.ERROR)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="tutor")


if __name__ == "__main__":
    main()
