"""Ingest speed: a generated 2,000-line guide, end to end, against its own embedding cost.

The baseline, measured in the same run on the same chunks and model, is embedding the chunk texts
alone (what any indexer has to pay); the ratio shows what parsing, chunking and writing the index
add on top. Target from issue 13: a 2,000-line guide in 15 s or less here.

    python benchmarks/ingest.py [--lines 2000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from tests.test_ingest_guides import long_guide  # noqa: E402  (the test's generated guide)
from tutor.core.settings import Settings  # noqa: E402
from tutor.embedding.embedder import embedder_for  # noqa: E402
from tutor.index.build import embed_text, ingest_paths  # noqa: E402
from tutor.index.knowledge import KnowledgeBase  # noqa: E402

TARGET_SECONDS = 15.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        guide = Path(tmp) / "long.md"
        guide.write_text(long_guide(args.lines), encoding="utf-8")
        settings = Settings(data_dir=Path(tmp) / "data")
        embedder = embedder_for(settings)  # the model loads before either clock starts
        started = time.perf_counter()
        summary = ingest_paths([guide], settings)
        ingest = time.perf_counter() - started
        chunks = KnowledgeBase.load(settings.index_dir).chunks

        started = time.perf_counter()
        embedder.embed_batch([embed_text(c) for c in chunks])
        embed = time.perf_counter() - started
    load = "/".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{args.lines} lines -> {summary.cards} cards, {len(chunks)} chunks; load {load}")
    print(f"ingest end to end   {ingest:6.2f} s  ({ingest / embed:.2f}x the embedding alone)")
    print(f"embedding alone     {embed:6.2f} s")
    verdict = "met" if ingest <= TARGET_SECONDS else "MISSED"
    print(f"target <= {TARGET_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
