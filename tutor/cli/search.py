"""`tutor search`: hybrid search over the guide."""

from __future__ import annotations

from pathlib import Path

import click

from tutor.cli.common import json_option, load, print_json, progress_bar
from tutor.core.errors import TutorError


@click.command()
@click.argument("query", required=False)
@click.option("--k", "k", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--batch", type=click.Path(path_type=Path), help="JSONL of {\"query\": ...} lines.")
@json_option
@click.pass_context
def search(ctx: click.Context, query: str | None, k: int, batch: Path | None,
           as_json: bool) -> None:
    """Search the guide (hybrid BM25 + dense)."""
    from tutor.cli.formatting import format_hits
    from tutor.core.jsonl import read_jsonl
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
