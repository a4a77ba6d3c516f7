"""`tutor grade`: a 0-5 grade with cited evidence."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tutor.cli.common import json_option, load, print_json, progress_bar, read_stdin_text
from tutor.core.errors import TutorError


@click.command()
@click.argument("texts", nargs=-1, metavar="[QUESTION [ANSWER]]")
@click.option("--question", "-q", help="The interview question.")
@click.option("--answer", "-a", help="The answer to grade ('-' reads it from stdin).")
@click.option("--reference", "-r", help="A reference answer to grade against (optional).")
@click.option("--card", "card_id", help="Grade against this guide card (see `tutor cards`).")
@click.option("--batch", type=click.Path(path_type=Path),
              help="JSONL of {id?, question, answer, reference?} lines; one grade per line out.")
@click.option("--examples", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSONL of graded examples {question, answer, score, reference?}: scores are "
                   "put on their scale (per question with 3+ examples, else global).")
@json_option
@click.pass_context
def grade(ctx: click.Context, texts: tuple[str, ...], question: str | None, answer: str | None,
          reference: str | None, card_id: str | None, batch: Path | None, examples: Path | None,
          as_json: bool) -> None:
    """Grade an answer 0-5 against the guide, with cited evidence.

    The question and the answer may be given in order as arguments, or with -q and -a."""
    from tutor.cli.formatting import format_grade
    from tutor.runtime import grader_for

    question, answer = _from_arguments(texts, question, answer, card_id is not None)
    settings = load(ctx)
    grader = grader_for(settings, progress=progress_bar("first-time index"))
    if examples:
        from tutor.grading.scale import ScaledGrader, fit_from_examples, read_examples

        grader = ScaledGrader(grader, fit_from_examples(grader, read_examples(examples)))
    if batch:
        from tutor.core.jsonl import read_jsonl
        from tutor.grading.graders import grade_items

        lines = list(read_jsonl(batch))
        from tqdm import tqdm

        with tqdm(total=len(lines), desc="grading", file=sys.stderr, leave=False) as bar:
            for out in grade_items(grader, lines, progress=bar.update):
                print_json(out)
        return
    if answer == "-":
        answer = read_stdin_text()
    if not (question or card_id) or answer is None:
        raise TutorError("Give --question (or --card) and --answer, or --batch FILE.jsonl")
    # with --card the rubric (and the question shown in the grade) comes from the card
    result = grader.grade(question or str(card_id), answer, reference, card_id=card_id)
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        click.echo(format_grade(result))


def _from_arguments(texts: tuple[str, ...], question: str | None, answer: str | None,
                    carded: bool = False) -> tuple[str | None, str | None]:
    """The question and the answer, positional arguments filling what -q and -a leave out (with
    --card, a lone argument is the answer)."""
    rest = list(texts)
    if question is None and rest and not (carded and len(rest) == 1):
        question = rest.pop(0)
    if answer is None and rest:
        answer = rest.pop(0)
    if rest:
        raise TutorError(f"Too many arguments ({len(texts)}): give the question and the answer "
                         "once, quoted, as QUESTION ANSWER or with -q and -a")
    return question, answer
