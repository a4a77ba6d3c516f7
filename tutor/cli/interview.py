"""`tutor interview` (a terminal chat) and `tutor report`."""

from __future__ import annotations

import select
import sys
from typing import Any

import click

from tutor.cli.common import json_option, load, print_json, profile_option, progress_bar
from tutor.interview.session import InterviewSession, Prompt

BLOCK = '"""'
PASTE_GAP = 0.05  # seconds: lines arriving closer together than this were pasted, not typed
HOW_TO_ANSWER = ('Enter submits a one-line answer. For several lines, type """ on a line, '
                 'write or paste the answer, then """ again (pasted lines are kept together). '
                 "Commands: skip, hint, show answer, quit.")


def read_answer(prompt_text: str = "> ", continuation: str = "... ") -> str:
    """Read one answer from standard input.

    Enter submits a single line. A line starting with \"\"\" opens a block that a line
    ending with \"\"\" closes, blank lines included. On a terminal, lines that arrive
    together (a paste) stay one answer. Raises EOFError at end of input.
    """
    line = ""
    while not line.strip():
        line = input(prompt_text)
    if line.lstrip().startswith(BLOCK):
        return _read_block(line.lstrip()[len(BLOCK):], continuation)
    return "\n".join([line, *_pasted_lines()]).strip("\n")


def _read_block(first: str, continuation: str) -> str:
    lines, line = [], first
    while not line.rstrip().endswith(BLOCK):
        lines.append(line)
        line = input(continuation)
    lines.append(line.rstrip()[: -len(BLOCK)])
    return "\n".join(lines).strip("\n")


def _pasted_lines() -> list[str]:
    """Complete lines already waiting on a terminal right after the first one (a paste)."""
    if not sys.stdin.isatty():
        return []
    lines = []
    while select.select([sys.stdin], [], [], PASTE_GAP)[0]:
        lines.append(input())
    return lines


def _open(ctx: click.Context) -> tuple[Any, Any, Any]:
    from tutor.runtime import grader_for, retriever_for
    from tutor.storage.store import Store

    settings = load(ctx)
    retriever = retriever_for(settings, progress_bar("first-time index"))
    return Store.from_settings(settings), retriever.kb, grader_for(settings, retriever)


def _show_prompt(prompt: Prompt, as_json: bool) -> None:
    if as_json:
        print_json({"event": "question", "number": prompt.number, "total": prompt.total,
                    "kind": prompt.kind, "card_id": prompt.card.id, "section": prompt.card.heading,
                    "question": prompt.text})
        return
    label = (f"Question {prompt.number}/{prompt.total} — {prompt.card.topic}"
             if prompt.kind == "main" else "Follow-up")
    click.echo(f"\n{label}\n{prompt.text}\n(Enter submits; \"\"\" opens and closes a "
               "multi-line answer)")


def _chat(session: InterviewSession, as_json: bool) -> bool:
    """Run the chat loop; True when the interview reached its end."""
    from tutor.cli.formatting import format_grade

    while (prompt := session.current()) is not None:
        _show_prompt(prompt, as_json)
        answer = read_answer("" if as_json else "> ")
        command = answer.strip().lower()
        if command in ("quit", "exit"):
            return False
        if command == "skip":
            session.skip()
        elif command == "hint":
            hint = session.hint()
            print_json({"event": "hint", "text": hint}) if as_json else click.echo(f"Hint: {hint}")
        elif command == "show answer":
            body = session.show_answer()
            (print_json({"event": "reference", "text": body}) if as_json
             else click.echo(f"Reference answer from the guide:\n{body}"))
        else:
            outcome = session.answer(answer)
            (print_json({"event": "grade", "grade": outcome.grade.model_dump(mode="json")})
             if as_json else click.echo(format_grade(outcome.grade)))
    return True


@click.command()
@click.option("--questions", "-n", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--topic", "topics", multiple=True, help="Limit to a topic (repeatable).")
@click.option("--mix", type=click.Choice(["mixed", "concept", "scenario"]), default="mixed",
              show_default=True, help="Concept questions, scenarios, or both.")
@click.option("--difficulty", "difficulty", multiple=True,
              type=click.Choice(["easy", "medium", "hard"], case_sensitive=False),
              help="Only questions the guide marks with this difficulty (repeatable).")
@click.option("--guide", "guides", multiple=True,
              help="Only questions of this guide (repeatable; see `tutor guides`).")
@click.option("--seed", type=int, help="Make the question order reproducible.")
@click.option("--resume", is_flag=True, help="Continue the latest unfinished session.")
@click.option("--session", "session_id", help="With --resume: the session id to continue.")
@click.option("--list-topics", is_flag=True, help="Print the topics and exit.")
@profile_option
@json_option
@click.pass_context
def interview(ctx: click.Context, questions: int, topics: tuple[str, ...], mix: str,
              difficulty: tuple[str, ...], guides: tuple[str, ...], seed: int | None,
              resume: bool, session_id: str | None, list_topics: bool, as_json: bool) -> None:
    """A mock interview in the terminal: answer, get graded, follow up, get a report.

    Enter submits a one-line answer. For several lines or paragraphs, type \"\"\" on a
    line of its own, write or paste the answer (blank lines are kept), then type \"\"\"
    again. Pasted lines stay one answer. Commands: skip, hint, show answer, quit.

    Each --profile (learner) has their own sessions, reviews and reports.
    """
    from tutor.interview.planning import InterviewConfig
    from tutor.interview.planning import list_topics as topics_of
    from tutor.interview.report import build_report, format_report

    store, kb, grader = _open(ctx)
    if list_topics:
        click.echo("\n".join(topics_of(kb)))
        return
    if resume:
        session = InterviewSession.resume(store, kb, grader, session_id)
    else:
        config = InterviewConfig(questions=questions, topics=list(topics), mix=mix,  # type: ignore[arg-type]
                                 seed=seed, difficulty=[d.lower() for d in difficulty],
                                 guides=list(guides))
        session = InterviewSession.start(store, kb, grader, config)
    if not as_json:
        click.echo(f"Mock interview for {store.profile} ({len(session.plan)} questions, grader: "
                   f"{grader.name}). {HOW_TO_ANSWER}")
    try:
        completed = _chat(session, as_json)
    except (EOFError, KeyboardInterrupt):
        completed = False
    if not completed:
        message = "Saved. Continue later with `tutor interview --resume`."
        print_json({"event": "paused", "session": session.id}) if as_json else click.echo(
            f"\n{message}", err=True)
        return
    report = build_report(store, kb, session.id)
    (print_json({"event": "report", "report": report.model_dump(mode="json")}) if as_json
     else click.echo("\n" + format_report(report)))


@click.command()
@click.argument("session_id", required=False)
@profile_option
@json_option
@click.pass_context
def report(ctx: click.Context, session_id: str | None, as_json: bool) -> None:
    """Print the report of a session (the profile's latest by default)."""
    from tutor.index.knowledge import KnowledgeBase
    from tutor.interview.report import build_report, format_report
    from tutor.runtime import ensure_index
    from tutor.storage.store import Store

    settings = load(ctx)
    kb: KnowledgeBase = ensure_index(settings)
    result = build_report(Store.from_settings(settings), kb, session_id)
    print_json(result.model_dump(mode="json")) if as_json else click.echo(format_report(result))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(interview())
