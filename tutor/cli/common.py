"""Options and helpers shared by the command modules: settings, JSON output, progress, stdin."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from tutor.core.errors import TutorError
from tutor.core.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def json_option(fn: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")(fn)


def print_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False))


def _check_profile(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        import re

        from tutor.core.settings import PROFILE_NAME_PATTERN

        if not re.fullmatch(PROFILE_NAME_PATTERN, value):
            raise click.BadParameter("use 1-64 letters, digits, spaces or . _ @ -, starting "
                                     "with a letter or digit", ctx, param)
        ctx.meta["tutor.profile"] = value
    return value


def profile_option(fn: F) -> F:
    """`--profile NAME`: the learner whose sessions, reviews and reports are used."""
    return click.option("--profile", metavar="NAME", callback=_check_profile, expose_value=False,
                        is_eager=True, help="Learner profile (default: TUTOR_PROFILE, else "
                        "'default'); each learner sees only their own history.")(fn)


def load(ctx: click.Context) -> Settings:
    """Settings, built once per invocation at the edge (`--profile` overrides TUTOR_PROFILE)."""
    if ctx.obj is None:
        from pydantic import ValidationError

        overrides = {"profile": ctx.meta["tutor.profile"]} if "tutor.profile" in ctx.meta else {}
        try:
            ctx.obj = Settings(**overrides)
        except ValidationError as exc:
            first = exc.errors()[0]
            name = ".".join(str(p) for p in first["loc"])
            raise TutorError(
                f"Invalid setting {name}: {first['msg']} (check TUTOR_* variables)") from exc
    return ctx.obj


def progress_bar(label: str) -> Callable[[int, int], None]:
    """A progress callback drawing a bar on stderr (tqdm is imported once there is progress)."""
    bar: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in bar:
            from tqdm import tqdm

            bar["bar"] = tqdm(total=total, desc=label, file=sys.stderr, leave=False)
        bar["bar"].n = done
        bar["bar"].refresh()
        if done >= total:
            bar["bar"].close()

    return update


BINARY_PROBE = 8000  # bytes searched for a NUL, as git decides a file is binary
MAX_UNREADABLE = 0.3  # share of characters that are not UTF-8 above which input is not text


def read_stdin_text(limit: int = 5 * 2**20) -> str:
    """Standard input as text; a few invalid UTF-8 bytes become U+FFFD instead of crashing.

    Raises:
        TutorError: the input is over `limit`, or is binary data (a NUL byte in its first
            BINARY_PROBE bytes, or over MAX_UNREADABLE of it not UTF-8), e.g. a file piped
            in by mistake: grading it would only say "off-topic".
    """
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise TutorError(f"Input over {limit // 2**20} MiB: shorten the answer")
    text = data.decode("utf-8", errors="replace")
    unreadable = text.count("\ufffd")
    if b"\x00" in data[:BINARY_PROBE] or unreadable > MAX_UNREADABLE * max(len(text), 1):
        raise TutorError(f"Standard input looks like binary data, not text ({len(data)} bytes, "
                         f"{unreadable} not UTF-8): pipe in plain UTF-8 text")
    return text
