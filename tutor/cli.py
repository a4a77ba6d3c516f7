"""The `tutor` command line: parse, call one library function, format."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from tutor.errors import TutorError
from tutor.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def json_option(fn: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")(fn)


def print_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False))


def load(ctx: click.Context) -> Settings:
    """Settings, built once per invocation at the edge."""
    if ctx.obj is None:
        from pydantic import ValidationError

        try:
            ctx.obj = Settings()
        except ValidationError as exc:
            first = exc.errors()[0]
            name = ".".join(str(p) for p in first["loc"])
            raise TutorError(
                f"Invalid setting {name}: {first['msg']} (check TUTOR_* variables)") from None
    return ctx.obj


def progress_bar(label: str) -> Callable[[int, int], None]:
    """A progress callback drawing a bar on stderr."""
    from tqdm import tqdm

    bar: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, desc=label, file=sys.stderr, leave=False)
        bar["bar"].n = done
        bar["bar"].refresh()
        if done >= total:
            bar["bar"].close()

    return update


def read_stdin_text(limit: int = 5 * 2**20) -> str:
    """Standard input as text; invalid UTF-8 bytes become U+FFFD instead of crashing."""
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise TutorError(f"Input over {limit // 2**20} MiB: shorten the answer")
    return data.decode("utf-8", errors="replace")


class TutorGroup(click.Group):
    """Turns library errors into one line on stderr and a non-zero exit.

    Commands in tutor/cli_*.py modules are added on first lookup, not at import time.
    """

    _loaded = False

    def _load_plugins(self) -> None:
        if not TutorGroup._loaded:
            TutorGroup._loaded = True
            register_commands(self)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._load_plugins()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugins()
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TutorError as exc:
            if os.environ.get("TUTOR_DEBUG"):
                raise
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


@click.group(cls=TutorGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
@click.version_option(package_name="tutor")
def cli(verbose: bool) -> None:
    """tutor: mock interviews, answer grading and Q&A over a GenAI interview guide."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Re-embed everything, even unchanged files.")
@json_option
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], rebuild: bool, as_json: bool) -> None:
    """Ingest guide files (txt, md, pdf); the bundled guide by default."""
    from ingest.pipeline import ingest_paths

    settings = load(ctx)
    summary = ingest_paths(list(paths) or [settings.guide_path], settings, rebuild=rebuild,
                           progress=None if as_json else progress_bar("embedding"))
    from tutor.formatting import format_ingest_summary

    if as_json:
        print_json(format_ingest_summary(summary, as_dict=True))
    else:
        click.echo(format_ingest_summary(summary))


@cli.command()
@click.argument("query", required=False)
@click.option("--k", "k", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--batch", type=click.Path(path_type=Path), help="JSONL of {\"query\": ...} lines.")
@json_option
@click.pass_context
def search(ctx: click.Context, query: str | None, k: int, batch: Path | None,
           as_json: bool) -> None:
    """Search the guide (hybrid BM25 + dense)."""
    from tutor.batch import read_jsonl
    from tutor.formatting import format_hits
    from tutor.runtime import retriever_for

    if not query and not batch:
        raise TutorError("Give a QUERY or --batch FILE.jsonl")
    settings = load(ctx)
    retriever = retriever_for(settings, progress_bar("first-time index"))
    if batch:
        for line_no, item in read_jsonl(batch):
            if isinstance(item, Exception):
                print_json({"line": line_no, "error": str(item)})
                continue
            text = item.get("query") if isinstance(item, dict) else None
            if not isinstance(text, str) or not text.strip():
                print_json({"line": line_no, "error": "missing \"query\" string"})
                continue
            print_json({"query": text, "hits": [h.to_json() for h in retriever.search(text, k)]})
        return
    assert query is not None
    hits = retriever.search(query, k)
    if as_json:
        print_json({"query": query, "hits": [h.to_json() for h in hits]})
    else:
        click.echo(format_hits(hits))


@cli.command()
@click.option("--question", "-q", help="The interview question.")
@click.option("--answer", "-a", help="The answer to grade ('-' reads it from stdin).")
@click.option("--reference", "-r", help="A reference answer to grade against (optional).")
@click.option("--card", "card_id", help="Grade against this guide card (see `tutor cards`).")
@click.option("--batch", type=click.Path(path_type=Path),
              help="JSONL of {id?, question, answer, reference?} lines; one grade per line out.")
@json_option
@click.pass_context
def grade(ctx: click.Context, question: str | None, answer: str | None, reference: str | None,
          card_id: str | None, batch: Path | None, as_json: bool) -> None:
    """Grade an answer 0-5 against the guide, with cited evidence."""
    from tutor.formatting import format_grade
    from tutor.runtime import grader_for

    settings = load(ctx)
    if batch:
        from tutor.batch import read_jsonl
        from tutor.grading import grade_items

        lines = list(read_jsonl(batch))
        grader = grader_for(settings, progress=progress_bar("first-time index"))
        from tqdm import tqdm

        with tqdm(total=len(lines), desc="grading", file=sys.stderr, leave=False) as bar:
            for out in grade_items(grader, lines, progress=bar.update):
                print_json(out)
        return
    if answer == "-":
        answer = read_stdin_text()
    if not (question or card_id) or answer is None:
        raise TutorError("Give --question (or --card) and --answer, or --batch FILE.jsonl")
    grader = grader_for(settings, progress=progress_bar("first-time index"))
    # with --card the rubric (and the question shown in the grade) comes from the card
    result = grader.grade(question or str(card_id), answer, reference, card_id=card_id)
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        click.echo(format_grade(result))


def register_commands(group: click.Group) -> None:
    """Add the commands that live in their own modules (tutor/cli_*.py)."""
    import importlib
    import pkgutil

    import tutor

    for info in pkgutil.iter_modules(tutor.__path__):
        if info.name.startswith("cli_"):
            module = importlib.import_module(f"tutor.{info.name}")
            for command in getattr(module, "COMMANDS", []):
                group.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="tutor")


if __name__ == "__main__":
    main()
