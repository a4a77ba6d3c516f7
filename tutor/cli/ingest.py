"""`tutor ingest`: guide files -> cards -> chunks -> index."""

from __future__ import annotations

from pathlib import Path

import click

from tutor.cli.common import json_option, load, print_json, progress_bar


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Re-embed everything, even unchanged files.")
@json_option
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], rebuild: bool, as_json: bool) -> None:
    """Ingest guide files (txt, md, pdf); the bundled guide by default."""
    from tutor.index.build import ingest_paths

    settings = load(ctx)
    summary = ingest_paths(list(paths) or [settings.guide_path], settings, rebuild=rebuild,
                           progress=None if as_json else progress_bar("embedding"))
    from tutor.cli.formatting import format_ingest_summary

    if as_json:
        print_json(format_ingest_summary(summary, as_dict=True))
    else:
        click.echo(format_ingest_summary(summary))
