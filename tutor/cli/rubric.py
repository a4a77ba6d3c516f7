"""`tutor rubric export | draft | import`: grading rubrics as YAML a teacher can edit."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tutor.cli.common import json_option, load, print_json, progress_bar
from tutor.core.errors import InputError

if TYPE_CHECKING:
    from tutor.grading.rubric import Rubric
    from tutor.grading.rubric_files import CardRubricSpec, RubricFile
    from tutor.index.knowledge import KnowledgeBase


@click.group()
def rubric() -> None:
    """Export the grading rubrics as YAML, draft them with an LLM, or import an edited file."""


F = TypeVar("F", bound=Callable[..., Any])


def card_selection(fn: F) -> F:
    """CARD_ID… or --all, and -o FILE: the options of the commands that write rubric YAML."""
    fn = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                      help="Write to this file instead of standard output.")(fn)
    fn = click.option("--all", "all_cards", is_flag=True, help="Every card of the guide.")(fn)
    return click.argument("card_ids", nargs=-1)(fn)


def selected_cards(kb: KnowledgeBase, card_ids: tuple[str, ...], all_cards: bool) -> list:
    if all_cards == bool(card_ids):
        raise InputError("Give card ids or --all (not both): list ids with `tutor cards`")
    return list(kb.cards) if all_cards else [_card(kb, cid) for cid in card_ids]


@rubric.command("export")
@card_selection
@click.pass_context
def export(ctx: click.Context, card_ids: tuple[str, ...], all_cards: bool,
           output: Path | None) -> None:
    """Write the rubrics the grader uses for CARD_ID… (or --all) as YAML."""
    from tutor.grading.rubric import rubric_from_card
    from tutor.grading.rubric_files import load_rubric_book
    from tutor.runtime import ensure_index

    settings = load(ctx)
    kb = ensure_index(settings, progress_bar("first-time index"))
    cards = selected_cards(kb, card_ids, all_cards)
    book = load_rubric_book(sorted(settings.rubrics_dir.glob("*.yaml")))
    rubrics = [rubric_from_card(card, kb, book) for card in cards]
    empty = [r.card.id for r in rubrics if r.card is not None and not r.points]
    if len(empty) == len(rubrics):
        raise InputError(f"No rubric points for {', '.join(empty)}: the guide's answer there is "
                         "empty or states no point; nothing exported")
    if empty:
        click.echo(f"note: skipped {len(empty)} card(s) without rubric points (the guide's answer "
                   f"is empty or states no point): {', '.join(empty)}", err=True)
    _write_yaml([spec_of(r) for r in rubrics if r.points], output)


def _card(kb: KnowledgeBase, card_id: str):  # -> Card
    card = kb.card(card_id)
    if card is None:
        raise InputError(f"Unknown card id {card_id!r}: list them with `tutor cards`")
    return card


def spec_of(rubric: Rubric) -> CardRubricSpec:
    """A rubric as the file spec that reproduces it."""
    from tutor.grading.rubric_files import CardRubricSpec, PointSpec

    assert rubric.card is not None, "only card rubrics are exported"
    points = [PointSpec(statement=p.label,
                        quote=p.citation.quote if p.citation else p.text,
                        essential=p.essential, weight=p.weight,
                        terms=[list(g.aliases) for g in p.terms], follow_up=p.follow_up)
              for p in rubric.points]
    return CardRubricSpec(section=rubric.card.heading, points=points)


@rubric.command("draft")
@card_selection
@click.pass_context
def draft(ctx: click.Context, card_ids: tuple[str, ...], all_cards: bool,
          output: Path | None) -> None:
    """Let the configured LLM propose rubrics (YAML to review, then `tutor rubric import`)."""
    from tutor.core.errors import ConfigError
    from tutor.grading.rubric_draft import draft_rubric
    from tutor.llm.client import chat_model_for
    from tutor.runtime import ensure_index

    settings = load(ctx)
    model = chat_model_for(settings)
    if model is None:
        raise ConfigError("`tutor rubric draft` needs an LLM: set TUTOR_LLM_BASE_URL "
                          "(and TUTOR_LLM_MODEL)")
    kb = ensure_index(settings, progress_bar("first-time index"))
    cards = selected_cards(kb, card_ids, all_cards)
    specs = []
    for card in cards:
        found = draft_rubric(card, kb, model)
        for reason in found.dropped:
            click.echo(f"note: {card.id}: dropped {reason}", err=True)
        if found.spec is None:
            click.echo(f"note: {card.id}: no point with a verifiable quote; nothing drafted",
                       err=True)
        else:
            specs.append(found.spec)
    if not specs:
        raise InputError("The LLM proposed no point with a verbatim guide quote: try again or "
                         "a stronger model")
    _write_yaml(specs, output)


def _write_yaml(specs: list[CardRubricSpec], output: Path | None) -> None:
    from tutor.grading.rubric_files import write_rubric_file

    if output is not None:
        write_rubric_file(output, specs)
        click.echo(f"wrote {len(specs)} card rubric(s) to {output}", err=True)
        return
    with tempfile.TemporaryDirectory() as tmp:  # one YAML writer for files and stdout
        path = Path(tmp) / "rubrics.yaml"
        write_rubric_file(path, specs)
        sys.stdout.write(path.read_text(encoding="utf-8"))


@rubric.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@click.pass_context
def import_(ctx: click.Context, file: Path, as_json: bool) -> None:
    """Check FILE against the indexed guide and store it; the grader then uses it."""
    from tutor.grading.rubric_files import read_rubric_file
    from tutor.runtime import ensure_index

    settings = load(ctx)
    parsed = read_rubric_file(file)
    kb = ensure_index(settings, progress_bar("first-time index"))
    problems = check_rubric_file(parsed, kb)
    if problems:
        for problem in problems:
            click.echo(f"error: {file}: {problem}", err=True)
        raise InputError(f"{len(problems)} problem(s) in {file}: nothing imported")
    target = settings.rubrics_dir / (file.stem + ".yaml")  # the grader reads *.yaml
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(file, target)
    n_points = sum(len(c.points) for c in parsed.cards)
    if as_json:
        print_json({"cards": len(parsed.cards), "points": n_points, "stored": str(target)})
    else:
        click.echo(f"imported {len(parsed.cards)} card(s), {n_points} point(s) into {target}")


def check_rubric_file(parsed: RubricFile, kb: KnowledgeBase) -> list[str]:
    """One message per section not in the index and per quote not verbatim in its card."""
    from tutor.grading.rubric_files import heading_key
    from tutor.grading.statements import chunk_quoting, plain_quote

    by_heading = {heading_key(c.heading): c for c in kb.cards}
    problems = []
    for n, spec in enumerate(parsed.cards):
        card = by_heading.get(heading_key(spec.section))
        if card is None:
            problems.append(f"cards.{n}: no card with heading {spec.section!r} in the index "
                            "(see `tutor cards`)")
            continue
        for m, point in enumerate(spec.points):
            if chunk_quoting(card, kb, point.quote) is None:  # as the grader looks it up
                problems.append(f"cards.{n}.points.{m}: quote not found verbatim in "
                                f"{spec.section!r}: {plain_quote(point.quote)[:60]!r}")
    return problems
