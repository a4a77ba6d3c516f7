"""`tutor cards`: list the guide's questions (cards) with their ids and topics."""

from __future__ import annotations

import click

from tutor.cli.common import json_option, load, print_json, progress_bar


@click.command()
@click.option("--topic", help="Only cards whose topic contains this text.")
@json_option
@click.pass_context
def cards(ctx: click.Context, topic: str | None, as_json: bool) -> None:
    """List the guide's questions with card ids, topics and key-point counts."""
    from tutor.runtime import ensure_index

    kb = ensure_index(load(ctx), progress_bar("first-time index"))
    chosen = [c for c in kb.cards if not topic or topic.lower() in c.topic.lower()]
    if as_json:
        print_json([{"card_id": c.id, "section": c.heading, "topic": c.topic, "kind": c.kind,
                     "key_points": len(c.key_points)} for c in chosen])
        return
    for c in chosen:
        click.echo(f"{c.id:62s} {c.topic:28s} {len(c.key_points):2d} pts  {c.heading[:70]}")


