"""`tutor eval`: retrieval, grading and RAGAS evaluation with a report on disk."""

from __future__ import annotations

from pathlib import Path

import click

from tutor.cli.common import json_option, load, print_json, progress_bar


@click.command("eval")
@click.option("--suite", type=click.Choice(["retrieval", "grading", "ragas", "ask", "all"]),
              default="all", show_default=True, help="Which evaluation to run.")
@click.option("--llm", "use_llm", is_flag=True,
              help="Also evaluate through the configured LLM endpoint (LLM grader, RAGAS LLM "
                   "metrics).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Report directory [default: <data dir>/reports/<timestamp>].")
@click.option("--grading-data", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              multiple=True,
              help="Extra graded answers (JSONL or CSV: question, answer, reference?, score); "
                   "repeatable.")
@click.option("--limit", type=click.IntRange(1, None),
              help="Evaluate at most N items of each dataset (a quick smoke run).")
@json_option
@click.pass_context
def eval_command(ctx: click.Context, suite: str, use_llm: bool, out_dir: Path | None,
                 grading_data: tuple[Path, ...], limit: int | None, as_json: bool) -> None:
    """Measure retrieval, grading and answers; write report.json, report.md and plots."""
    from tutor.eval.report_md import render_summary
    from tutor.eval.runner import run_eval

    report = run_eval(load(ctx), suite=suite, use_llm=use_llm, out_dir=out_dir,
                      grading_data=list(grading_data), limit=limit, progress=progress_bar)
    if as_json:
        print_json(report_for_stdout(report))
    else:
        click.echo(render_summary(report))


def report_for_stdout(report: dict) -> dict:
    from tutor.eval.report import clean

    return clean(report)


def register_commands(group: click.Group) -> None:
    """The `tutor.plugins` entry point: add `tutor eval` to the command group."""
    group.add_command(eval_command)
