"""Reading JSONL batch files line by line; a bad line becomes an error for that line only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tutor.core.errors import InputError


def read_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """Yield (line number, parsed object or the exception for that line); blank lines skipped.

    Raises:
        InputError: the file cannot be opened at all.
    """
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror}; check the path") from exc
    with handle:
        for line_no, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                yield line_no, json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                yield line_no, InputError(f"line {line_no}: not valid JSON ({exc})")
