"""`tutor ingest`: guide files -> cards -> chunks -> index (or a dry run, or a removal)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tutor.cli.common import json_option, load, print_json, progress_bar


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Re-embed everything, even unchanged files.")
@click.option("--dry-run", is_flag=True,
              help="Show the cards, topics and dropped lines found; do not touch the index.")
@click.option("--remove", "remove", multiple=True, metavar="NAME",
              help="Drop a guide from the index (file name, stem or path; repeatable).")
@json_option
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], rebuild: bool, dry_run: bool,
           remove: tuple[str, ...], as_json: bool) -> None:
    """Ingest guide files (txt, md, pdf); the bundled guide by default.

    Several guides live in one index: each `tutor ingest FILE` adds (or updates) that guide.
    """
    settings = load(ctx)
    if dry_run:
        from tutor.ingest.preview import preview_guides

        previews = preview_guides(list(paths) or [settings.guide_path])
        if as_json:
            print_json(previews if len(previews) > 1 else previews[0])
        else:
            click.echo("\n\n".join(format_preview(p) for p in previews))
        return
    from tutor.cli.formatting import format_ingest_summary
    from tutor.index.build import ingest_paths, remove_guides

    if remove:
        if paths:
            raise click.UsageError("Pass either files to ingest or --remove NAME, not both.")
        summary = remove_guides(remove, settings)
        data = {"removed": summary.files_removed, "cards": summary.cards,
                "chunks": summary.chunks, "seconds": round(summary.seconds, 2)}
        if as_json:
            print_json(data)
        else:
            names = ", ".join(Path(s).name for s in summary.files_removed)
            click.echo(f"Removed {names}: {summary.cards} cards, {summary.chunks} chunks left.")
        return
    summary = ingest_paths(list(paths) or [settings.guide_path], settings, rebuild=rebuild,
                           progress=None if as_json else progress_bar("embedding"))
    if as_json:
        print_json(format_ingest_summary(summary, as_dict=True))
    else:
        click.echo(format_ingest_summary(summary))


def format_preview(preview: dict[str, Any]) -> str:
    """One guide's dry run: cards with topic, level and points, then the dropped lines."""
    cards = preview["cards"]
    lines = [f"{Path(preview['source']).name}: {len(cards)} cards "
             f"({preview['no_reference']} without an answer), {len(preview['topics'])} topics"]
    if preview["topics"]:
        lines.append("  topics: " + " | ".join(preview["topics"]))
    lines.append(f"  {'line':>5}  {'topic':24.24}  {'level':6}  {'pts':>3}  question")
    for card in cards:
        points = "—" if card["no_reference"] else str(card["points"])
        lines.append(f"  {card['line'] or '':>5}  {card['topic']:24.24}  "
                     f"{card['difficulty'] or '':6}  {points:>3}  {card['question'][:90]}")
    dropped = preview["dropped"]
    lines.append(f"  dropped {len(dropped)} line(s):" if dropped else "  nothing dropped")
    for item in dropped:
        lines.append(f"  {item['line']:>5}  {item['reason']:24.24}  {item['text'][:70]}")
    listed = {item["reason"] for item in dropped}
    unlisted = {r: n for r, n in preview["removed"].items() if r not in listed and n}
    if unlisted:
        lines.append("  also removed: " + ", ".join(f"{n} {r}" for r, n in unlisted.items()))
    lines += [f"  warning: {w}" for w in preview["warnings"]]
    return "\n".join(lines)
