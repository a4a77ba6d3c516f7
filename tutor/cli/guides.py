"""`tutor guides`: the guides in the index, with their card counts and topics."""

from __future__ import annotations

import click

from tutor.cli.common import json_option, load, print_json, progress_bar


@click.command()
@json_option
@click.pass_context
def guides(ctx: click.Context, as_json: bool) -> None:
    """List the ingested guides (add with `tutor ingest FILE`, drop with `--remove NAME`)."""
    from tutor.index.build import list_guides
    from tutor.runtime import ensure_index

    found = list_guides(ensure_index(load(ctx), progress_bar("first-time index")))
    if as_json:
        print_json([{"name": g.name, "source": g.source, "cards": g.cards,
                     "no_reference": g.no_reference, "topics": g.topics} for g in found])
        return
    for g in found:
        extra = f", {g.no_reference} without an answer" if g.no_reference else ""
        topics = f"  topics: {', '.join(g.topics)}" if g.topics else ""
        click.echo(f"{g.name:40s} {g.cards:4d} cards{extra}{topics}")
