"""Showing text we did not write (answers, questions, guide passages, model output) safely.

Nothing in the app uses `unsafe_allow_html`; on top of that, text that is not ours is escaped
before it reaches `st.markdown`, so `**`, links, images, `$math$`, `:red[...]` directives and
`:emoji:` codes in an answer are shown as typed instead of being interpreted.
"""

from __future__ import annotations

import re

# Every ASCII punctuation character that Markdown or Streamlit's extensions give a meaning to.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=^&\"'])")


def escape_markdown(text: str) -> str:
    """Text as Markdown that renders literally, keeping the writer's line breaks."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    # Leading spaces would start a code block, where the escapes would show.
    return "  \n".join(line.strip() for line in escaped.split("\n"))


def shorten(text: str, limit: int = 80) -> str:
    """One line of at most `limit` characters for labels, cut at a word boundary ("…")."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    # keep whole words: drop the one the limit falls in, unless it is the only one
    if flat[limit - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"
