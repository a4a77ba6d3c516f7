"""Ingestion: summary, idempotence, atomic replacement and clear errors on bad files."""

import logging
from pathlib import Path

import pytest

from tutor.core.errors import InputError, VectorStoreError
from tutor.core.settings import Settings
from tutor.index.build import ingest_paths
from tutor.index.knowledge import KnowledgeBase

GUIDE_A = """# What is attention?

Attention lets every token weigh every other token by relevance.

# What is a KV cache?

The KV cache stores the keys and values of past tokens so decoding does not recompute them.
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_ingest_reingest_and_change(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "d")
    guide = write(tmp_path / "g.md", GUIDE_A)
    first = ingest_paths([guide], settings)
    assert first.cards == 2 and first.embedded == first.chunks
    gen1 = KnowledgeBase.load(settings.index_dir).generation

    again = ingest_paths([guide], settings)
    assert not again.changed and again.files_unchanged == [str(guide.resolve())]
    assert KnowledgeBase.load(settings.index_dir).generation == gen1

    write(guide, GUIDE_A.replace("# What is a KV cache?", "# What is beam search?")
          .replace("The KV cache stores", "Beam search keeps"))
    changed = ingest_paths([guide], settings)
    kb = KnowledgeBase.load(settings.index_dir)
    assert changed.files_changed == [str(guide.resolve())]
    assert kb.generation != gen1
    assert [c.heading for c in kb.cards] == ["What is attention?", "What is beam search?"]


def test_progress_starts_at_zero_before_the_first_batch_and_ends_at_the_total(tmp_path: Path):
    """The bar's clock starts before any work (a first report after the first batch showed
    millions of chunks a second)."""
    calls: list[tuple[int, int]] = []
    summary = ingest_paths([write(tmp_path / "g.md", GUIDE_A)], Settings(data_dir=tmp_path / "d"),
                           progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, summary.embedded) and calls[-1] == (summary.embedded,) * 2
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_second_file_adds_cards_and_reuses_vectors(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "d")
    a = write(tmp_path / "a.md", GUIDE_A)
    b = write(tmp_path / "b.md", "# What is RLHF?\n\nRLHF tunes a model with a reward model.\n\n"
              "# What is DPO?\n\nDPO optimises preferences directly without a reward model.\n")
    ingest_paths([a], settings)
    summary = ingest_paths([b], settings)
    kb = KnowledgeBase.load(settings.index_dir)
    assert len(kb.cards) == 4
    assert summary.embedded == 2  # a.md's chunks were reused, not re-embedded


def test_vanished_old_vectors_are_re_embedded_with_a_warning(tmp_path: Path,
                                                             caplog: pytest.LogCaptureFixture):
    from tutor.index.vectorstore import connect, drop_collection

    settings = Settings(data_dir=tmp_path / "d")
    a = write(tmp_path / "a.md", GUIDE_A)
    b = write(tmp_path / "b.md", "# What is DPO?\n\nDPO optimises preferences directly.\n")
    ingest_paths([a], settings)
    drop_collection(connect(settings), KnowledgeBase.load(settings.index_dir).collection)
    with caplog.at_level(logging.WARNING, logger="tutor.index.build"):
        summary = ingest_paths([b], settings)
    assert summary.embedded == 3  # a.md's two chunks again, and b.md's one
    assert "previous vectors cannot be reused" in caplog.text and "is missing" in caplog.text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"   \n\n ", "no text"),
        ("binary.txt", b"\x00\x01\x02PK\x03\x04" * 50, "binary"),
        ("latin1.txt", "Qu'est-ce que l'IA générative?".encode("latin-1"), "not UTF-8"),
        ("image.png", b"\x89PNG....", "unsupported"),
        ("fake.pdf", b"hello this is not a pdf", "not a valid PDF"),
    ],
)
def test_bad_files_fail_clearly_and_leave_index(tmp_path: Path, name, content, message):
    settings = Settings(data_dir=tmp_path / "d")
    good = write(tmp_path / "good.md", GUIDE_A)
    ingest_paths([good], settings)
    before = (settings.index_dir / "manifest.json").read_text()
    bad = tmp_path / name
    bad.write_bytes(content)
    with pytest.raises(InputError, match=message) as err:
        ingest_paths([bad], settings)
    assert "\n" not in str(err.value)
    assert (settings.index_dir / "manifest.json").read_text() == before
    assert len(KnowledgeBase.load(settings.index_dir).cards) == 2


def test_missing_file_and_pdf_without_text(tmp_path: Path):
    from pypdf import PdfWriter

    settings = Settings(data_dir=tmp_path / "d")
    with pytest.raises(InputError, match="No such file"):
        ingest_paths([tmp_path / "nope.txt"], settings)
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    pdf = tmp_path / "scan.pdf"
    with pdf.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(InputError, match="no text layer"):
        ingest_paths([pdf], settings)


def test_failed_ingest_keeps_the_old_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A failure after parsing (here: the vector store dies) leaves the live index answering."""
    import tutor.index.build as pipeline
    from tutor.retrieval.hybrid import open_retriever

    settings = Settings(data_dir=tmp_path / "d")
    guide = write(tmp_path / "g.md", GUIDE_A)
    ingest_paths([guide], settings)
    write(guide, GUIDE_A + "\n# What is top-p?\n\nTop-p samples from the nucleus of tokens.\n")

    def broken_create(*args, **kwargs):  # the collaborator fails, the pipeline is real
        raise VectorStoreError("disk full")

    monkeypatch.setattr(pipeline.ChromaVectors, "create", broken_create)
    with pytest.raises(VectorStoreError):
        ingest_paths([guide], settings)
    monkeypatch.undo()
    hits = open_retriever(settings).search("KV cache keys and values", 1)
    assert hits[0].chunk.heading == "What is a KV cache?"
    assert len(KnowledgeBase.load(settings.index_dir).cards) == 2


def test_missing_index_is_reported(tmp_path: Path):
    from tutor.core.errors import IndexMissingError

    with pytest.raises(IndexMissingError, match="run `tutor ingest`"):
        KnowledgeBase.load(tmp_path / "nothing")


def test_damaged_index_is_reported(tmp_path: Path):
    from tutor.core.errors import IndexMissingError

    settings = Settings(data_dir=tmp_path / "d")
    ingest_paths([write(tmp_path / "g.md", GUIDE_A)], settings)
    (settings.index_dir / "manifest.json").write_text("{not json")
    with pytest.raises(IndexMissingError, match="damaged"):
        KnowledgeBase.load(settings.index_dir)
