"""`tutor ask`: the candidate's own questions about the guide, answered with citations."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import click

from tutor.cli.common import json_option, load, print_json, progress_bar, read_stdin_text

if TYPE_CHECKING:  # the library loads models: import it when the command runs, not on --help
    from tutor.ask.answer import Answer

WIDTH = 100
MAX_K = 20  # tutor.answering.MAX_K


def format_answer(answer: Answer) -> str:
    """The answer, then its numbered citations (section and verbatim quote) for the terminal."""
    lines = [textwrap.fill(answer.answer, WIDTH)]
    if answer.citations:
        lines += ["", "Sources:"]
        for number, citation in enumerate(answer.citations, 1):
            lines.append(f"  [{number}] {citation.section}  [{citation.chunk_id}]")
            lines.append(textwrap.fill(f"“{citation.quote}”", WIDTH, initial_indent=" " * 6,
                                       subsequent_indent=" " * 6))
    if not answer.grounded and answer.nearest_sections:
        lines += ["", "Nearest sections of the guide:"]
        lines += [f"  - {section}" for section in answer.nearest_sections]
    lines += ["", f"coverage {answer.coverage:.2f} · answered by {answer.answered_by}"]
    lines += [f"warning: {w}" for w in answer.warnings]
    return "\n".join(lines)


@click.command()
@click.argument("question")
@click.option("--k", "k", type=click.IntRange(1, MAX_K), default=5, show_default=True,
              help="Passages to retrieve.")
@json_option
@click.pass_context
def ask(ctx: click.Context, question: str, k: int, as_json: bool) -> None:
    """Ask a question about the guide ('-' reads it from stdin); the answer cites the guide.

    Offline the answer is built from the guide's own sentences; with an LLM configured
    (TUTOR_LLM_BASE_URL), the model's sentences are checked against the passages they cite.
    """
    from tutor.ask.answer import answer_question
    from tutor.embedding.embedder import embedder_for
    from tutor.llm.client import chat_model_for
    from tutor.runtime import retriever_for

    if question == "-":
        question = read_stdin_text()
    settings = load(ctx)
    retriever = retriever_for(settings, progress_bar("first-time index"))
    embedder = embedder_for(settings)
    result = answer_question(question, retriever, embedder, chat_model_for(settings), k=k)
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        click.echo(format_answer(result))


