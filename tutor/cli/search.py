"""`tutor search`: hybrid search over the guide."""

from __future__ import annotations

from pathlib import Path

import click

from tutor.cli.common import json_option, load, print_json, progress_bar
from tutor.core.errors import TutorError
from tutor.core.types import Hit, source_named


@click.command()
@click.argument("query", required=False)
@click.option("--k", "k", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--batch", type=click.Path(path_type=Path), help="JSONL of {\"query\": ...} lines.")
@click.option("--guide", help="Only passages of this guide (see `tutor guides`).")
@json_option
@click.pass_context
def search(ctx: click.Context, query: str | None, k: int, batch: Path | None,
           guide: str | None, as_json: bool) -> None:
    """Search the guide (hybrid BM25 + dense)."""
    from tutor.cli.formatting import format_hits
    from tutor.core.jsonl import read_jsonl
    from tutor.runtime import retriever_for

    if not query and not batch:
        raise TutorError("Give a QUERY or --batch FILE.jsonl")
    settings = load(ctx)
    retriever = retriever_for(settings, progress_bar("first-time index"))
    if guide and not any(c.from_guide(guide) for c in retriever.kb.cards):
        raise TutorError(f"No guide {guide!r} in the index: see `tutor guides`")

    def find(text: str) -> list[Hit]:
        if not guide:
            return retriever.search(text, k)
        depth = min(len(retriever.kb.chunks), 8 * k)  # enough to fill k from one guide
        return [h for h in retriever.search(text, depth)
                if source_named(h.chunk.source, guide)][:k]

    if batch:
        for line_no, item in read_jsonl(batch):
            if isinstance(item, Exception):
                print_json({"line": line_no, "error": str(item)})
                continue
            text = item.get("query") if isinstance(item, dict) else None
            if not isinstance(text, str) or not text.strip():
                print_json({"line": line_no, "error": "missing \"query\" string"})
                continue
            print_json({"query": text, "hits": [h.to_json() for h in find(text)]})
        return
    assert query is not None
    hits = find(query)
    if as_json:
        print_json({"query": query, "hits": [h.to_json() for h in hits]})
    else:
        click.echo(format_hits(hits))
