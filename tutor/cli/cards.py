"""`tutor cards`: list the guide's questions (cards) with their ids and topics."""

from __future__ import annotations

import click

from tutor.cli.common import json_option, load, print_json, progress_bar
from tutor.ingest.markup import FENCE


@click.command()
@click.option("--topic", help="Only cards whose topic contains this text.")
@click.option("--guide", help="Only cards of this guide (file name or stem; see `tutor guides`).")
@click.option("--difficulty", type=click.Choice(["easy", "medium", "hard"]),
              help="Only cards the guide marks with this level.")
@json_option
@click.pass_context
def cards(ctx: click.Context, topic: str | None, guide: str | None, difficulty: str | None,
          as_json: bool) -> None:
    """List the guide's questions with card ids, topics and the number of points their rubric
    grades (essential and supporting: the curated rubric's, else the one extracted from the
    card, as `tutor rubric export` writes it)."""
    from pathlib import Path

    from tutor.grading.rubric import rubric_from_card
    from tutor.grading.rubric_files import load_rubric_book
    from tutor.runtime import ensure_index

    settings = load(ctx)
    kb = ensure_index(settings, progress_bar("first-time index"))
    chosen = [c for c in kb.cards if (not topic or topic.lower() in c.topic.lower())
              and (not guide or c.from_guide(guide))
              and (not difficulty or c.difficulty == difficulty)]
    book = load_rubric_book(sorted(settings.rubrics_dir.glob("*.yaml")))
    rubrics = [rubric_from_card(c, kb, book) for c in chosen]
    if as_json:
        print_json([{"card_id": c.id, "section": c.heading, "topic": c.topic, "kind": c.kind,
                     "rubric_points": len(r.points),
                     "essential_points": sum(p.essential for p in r.points),
                     "rubric": r.source, "key_points": len(c.key_points),
                     "difficulty": c.difficulty, "no_reference": c.no_reference,
                     "guide": Path(c.source).name}
                    for c, r in zip(chosen, rubrics, strict=True)])
        return
    for c, r in zip(chosen, rubrics, strict=True):
        points = ("no answer" if c.no_reference
                  else "code only" if not r.points and any(map(FENCE.match, c.body.split("\n")))
                  else f"{len(r.points):2d} pts")  # a solution in code has no points
        click.echo(f"{c.id:62s} {c.topic:28.28s} {c.difficulty or '':6s} {points:9s} "
                   f"{c.heading[:70]}")
