"""`tutor profiles` (who practises here) and `tutor profile export|delete NAME` (their data)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tutor.cli.common import json_option, load, print_json
from tutor.core.errors import InputError


def _store(ctx: click.Context):  # -> tutor.storage.store.Store
    from tutor.storage.store import Store

    return Store.from_settings(load(ctx))


@click.command()
@json_option
@click.pass_context
def profiles(ctx: click.Context, as_json: bool) -> None:
    """List the learner profiles, with their sessions, answers and last activity."""
    with _store(ctx) as store:
        found = store.list_profiles()
    if as_json:
        print_json([{"name": p.name, "created_at": p.created_at.isoformat(),
                     "sessions": p.sessions, "answers": p.turns,
                     "last_active": p.last_active.isoformat() if p.last_active else None}
                    for p in found])
        return
    if not found:
        click.echo("No profiles yet: `tutor interview --profile NAME` starts one.")
        return
    width = max(len(p.name) for p in found)
    for p in found:
        last = f"{p.last_active:%Y-%m-%d}" if p.last_active else "never"
        click.echo(f"{p.name:<{width}}  {p.sessions:>4} session(s)  {p.turns:>5} answer(s)  "
                   f"last active {last}")


@click.group()
def profile() -> None:
    """Export or delete one learner's data (sessions, answers, grades, reviews)."""


def _existing(store, name: str) -> None:  # noqa: ANN001
    if name not in {p.name for p in store.list_profiles()}:
        raise InputError(f"No profile {name!r}: list them with `tutor profiles`")


@profile.command("export")
@click.argument("name")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the JSON to this file instead of standard output.")
@click.pass_context
def export(ctx: click.Context, name: str, output: Path | None) -> None:
    """Everything stored for NAME, as one JSON document."""
    with _store(ctx) as store:
        _existing(store, name)
        data = store.for_profile(name).export()
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output is None:
        click.echo(text)
        return
    output.write_text(text + "\n", encoding="utf-8")
    click.echo(f"Exported {len(data['sessions'])} session(s) of {name!r} to {output}", err=True)


@profile.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Delete without asking (scripts).")
@click.pass_context
def delete(ctx: click.Context, name: str, yes: bool) -> None:
    """Delete NAME and all their sessions, answers and reviews, for good."""
    with _store(ctx) as store:
        _existing(store, name)
        summary = next(p for p in store.list_profiles() if p.name == name)
        what = f"{summary.sessions} session(s) and {summary.turns} answer(s) of {name!r}"
        if not yes and not click.confirm(f"Delete {what}? This cannot be undone", default=False,
                                         err=True):
            raise InputError(f"Nothing deleted: confirm, or pass --yes to delete {what}")
        counts = store.delete_profile(name)
    click.echo(f"Deleted profile {name!r}: {counts['sessions']} session(s), {counts['turns']} "
               f"answer(s), {counts['reviews']} review schedule(s).")
