"""`tutor calibrate`: store a grading scale fitted on a teacher's graded examples."""

from __future__ import annotations

from pathlib import Path

import click

from tutor.cli.common import json_option, load, print_json, progress_bar


@click.command()
@click.option("--examples", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSONL of graded examples {question, answer, score, reference?}.")
@click.option("--reset", is_flag=True, help="Remove the stored scale (back to the 0-5 formula).")
@json_option
@click.pass_context
def calibrate(ctx: click.Context, examples: Path | None, reset: bool, as_json: bool) -> None:
    """Fit the grader's scores to your graded examples; later grades use that scale."""
    from tutor.core.errors import InputError
    from tutor.runtime import SCALE_FILE, grader_for

    settings = load(ctx)
    path = settings.data_dir / SCALE_FILE
    if reset:
        path.unlink(missing_ok=True)
        click.echo(f"removed {path}")
        return
    if examples is None:
        raise InputError("Give --examples FILE.jsonl (or --reset)")
    from tutor.grading.scale import fit_from_examples, read_examples

    grader = grader_for(settings, progress=progress_bar("first-time index"), scaled=False)
    mapping = fit_from_examples(grader, read_examples(examples))
    mapping.save(path)
    summary = {"examples": mapping.examples, "per_question": len(mapping.per_question),
               "path": str(path)}
    if as_json:
        print_json(summary)
    else:
        click.echo(f"fitted on {mapping.examples} examples ({len(mapping.per_question)} "
                   f"question(s) with their own curve); stored in {path}")
