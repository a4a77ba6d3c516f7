"""What a process would otherwise recompute from the index at every start, kept on disk beside it.

Entries are keyed by the index's content hash (`KnowledgeBase.fingerprint`): a new generation
gets new files and the old ones are removed, so a stale entry is never read. A missing or
unreadable entry is simply recomputed (with a logged notice when it was unreadable).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from tutor.core.settings import Settings
from tutor.index.knowledge import KnowledgeBase

log = logging.getLogger(__name__)


class IndexCache:
    """Arrays and JSON documents derived from one index generation.

    Args:
        directory: where the entries live (e.g. `settings.index_dir / "cache"`).
        key: the index's content hash; entries of other keys are removed on the next write.
    """

    def __init__(self, directory: Path, key: str) -> None:
        if not key:
            raise ValueError("an index cache needs the index's content hash as key")
        self.directory = Path(directory)
        self.key = key

    def _path(self, name: str, suffix: str) -> Path:
        return self.directory / f"{self.key}-{name}{suffix}"

    def load_arrays(self, name: str) -> dict[str, np.ndarray] | None:
        """The arrays stored under `name`, or None when there are none (or they are unreadable)."""
        path = self._path(name, ".npz")
        try:
            with np.load(path, allow_pickle=False) as data:
                return {k: data[k] for k in data.files}
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:  # a torn or foreign file: recompute it
            log.warning("ignoring the unreadable index cache %s (%s)", path.name, exc)
            return None

    def save_arrays(self, name: str, **arrays: np.ndarray) -> None:
        """Store arrays under `name` (atomically; failures only cost the next start its speed)."""
        # (numpy's stubs read `**arrays` as its `allow_pickle` flag)
        self._write(self._path(name, ".npz"), lambda fh: np.savez(fh, **arrays))  # type: ignore[arg-type]

    def load_json(self, name: str) -> Any | None:
        path = self._path(name, ".json")
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("ignoring the unreadable index cache %s (%s)", path.name, exc)
            return None

    def save_json(self, name: str, value: Any) -> None:
        data = json.dumps(value, ensure_ascii=False).encode("utf-8")
        self._write(self._path(name, ".json"), lambda fh: fh.write(data))

    def _write(self, path: Path, write: Callable[[BinaryIO], object]) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{path.name}.")
            try:
                with os.fdopen(fd, "wb") as handle:
                    write(handle)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:  # e.g. a read-only index: only the next start's speed is lost
            log.info("could not write the index cache %s (%s): the next start recomputes it",
                     path.name, exc)
            return
        self._remove_stale()

    def _remove_stale(self) -> None:
        """Entries of earlier generations are never read again."""
        for old in self.directory.iterdir():
            if not old.name.startswith((self.key, ".")):
                try:
                    old.unlink()
                except OSError as exc:
                    log.info("could not remove the stale index cache %s (%s)", old.name, exc)


def index_cache(settings: Settings, kb: KnowledgeBase) -> IndexCache | None:
    """The cache of a published index (None for one built in memory, which has no fingerprint)."""
    return IndexCache(settings.index_dir / "cache", kb.fingerprint) if kb.fingerprint else None
