"""Read a guide file (txt, md, pdf) into text, refusing unusable files with a clear reason."""

from __future__ import annotations

from pathlib import Path

from tutor.core.errors import InputError
from tutor.core.text import without_ligatures

SUPPORTED = {".txt", ".md", ".markdown", ".pdf"}
MAX_BYTES = 50 * 1024 * 1024


def read_guide(path: Path) -> str:
    """Return the text of a guide file.

    Raises:
        InputError: missing, unreadable, empty, binary, non-UTF-8 or text-less PDF (one line
            saying what to do, e.g. that OCR is needed).
    """
    raw = _read_bytes(path)
    if path.suffix.lower() == ".pdf":
        from tutor.ingest.pdf import pdf_text

        return without_ligatures(pdf_text(path, raw))
    if b"\x00" in raw[:65536]:
        raise InputError(f"{path} looks binary, not text: pass a .txt, .md or .pdf guide")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path} is not UTF-8 (bad byte at offset {exc.start}): convert it, "
            f"e.g. `iconv -f latin1 -t utf-8 {path.name} > guide.txt`"
        ) from exc
    if not text.strip():
        raise InputError(f"{path} contains no text: pass a guide with content")
    return without_ligatures(text)


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputError(f"No such file: {path}: check the path")
    if path.is_dir():
        raise InputError(f"{path} is a directory: pass the guide file inside it")
    if path.suffix.lower() not in SUPPORTED:
        raise InputError(f"{path}: unsupported type {path.suffix or '(none)'}; "
                         "use .txt, .md or .pdf")
    try:
        size = path.stat().st_size
        if size == 0:
            raise InputError(f"{path} is empty: pass a guide with content")
        if size > MAX_BYTES:
            raise InputError(f"{path} is {size // 2**20} MiB; guides over 50 MiB are not supported")
        return path.read_bytes()
    except PermissionError as exc:
        raise InputError(f"Cannot read {path}: permission denied; check its permissions") from exc
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror}") from exc
