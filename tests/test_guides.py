"""Bring your own guide: six guide shapes the team wrote parse into the expected cards.

Each guide under tests/data/guides has `<name>.expected.json` (questions, topics, difficulty,
no_reference, not_cards). The two-column PDF is generated here from `pdf_twocolumn.json` with
reportlab: running header, "Page N" footer, two frames per page.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from tutor.ingest.parse import ParsedGuide, parse_guide
from tutor.ingest.readers import read_guide

from tutor.core.errors import InputError
from tutor.core.settings import Settings
from tutor.core.types import Card

GUIDES = Path(__file__).parent / "data" / "guides"
SHAPES = ["numbered_markdown.md", "bold_questions.md", "qa_plain.txt", "pdf_converted.txt",
          "pdf_twocolumn.pdf", "scenarios.md"]


def norm(text: str) -> str:
    """Compare questions without case, markdown emphasis, spacing or final punctuation."""
    text = re.sub(r"[*_`]", "", unicodedata.normalize("NFKC", text).lower())
    return " ".join(text.split()).rstrip(" ?.!:")


def write_two_column_pdf(spec_path: Path, out: Path) -> Path:
    """A real PDF: each spec page has two columns, a running header and a "Page N" footer."""
    pytest.importorskip("reportlab", reason="pip install 'tutor[test]'")
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import BaseDocTemplate, Frame, FrameBreak, PageTemplate, Paragraph

    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    width, height = A4
    margin, gutter = 50, 24
    column = (width - 2 * margin - gutter) / 2
    frames = [Frame(margin + k * (column + gutter), margin + 20, column, height - 2 * margin - 40)
              for k in (0, 1)]

    def furniture(canvas, doc):  # drawn on every page, like a word processor's header/footer
        canvas.setFont("Helvetica", 8)
        canvas.drawString(margin, height - margin + 10, spec["header"])
        canvas.drawCentredString(width / 2, margin - 10, spec["footer"].format(n=doc.page))

    body = ParagraphStyle("body", fontName="Helvetica", fontSize=9.5, leading=12, spaceAfter=6)
    heading = ParagraphStyle("heading", parent=body, fontName="Helvetica-Bold", fontSize=11)
    story: list = []
    for page in spec["pages"]:
        for paragraphs in page["columns"]:
            for text in paragraphs:
                style = heading if len(text) < 60 and not text.endswith(".") else body
                story.append(Paragraph(text.replace("&", "&amp;").replace("<", "&lt;"), style))
            story.append(FrameBreak())
    doc = BaseDocTemplate(str(out), pagesize=A4,
                          pageTemplates=[PageTemplate("two", frames, onPage=furniture)])
    doc.build(story)
    return out


@pytest.fixture(scope="module")
def guide_path(tmp_path_factory: pytest.TempPathFactory):
    def path_of(name: str) -> Path:
        if name.endswith(".pdf"):
            out = tmp_path_factory.mktemp("pdf") / name
            return write_two_column_pdf(GUIDES / "pdf_twocolumn.json", out)
        return GUIDES / name
    return path_of


def parsed(path: Path) -> ParsedGuide:
    return parse_guide(read_guide(path), str(path), set())


def expected(name: str) -> dict:
    return json.loads((GUIDES / f"{Path(name).stem}.expected.json").read_text(encoding="utf-8"))


def by_question(cards: list[Card]) -> dict[str, Card]:
    return {norm(c.question): c for c in cards}


@pytest.mark.parametrize("name", SHAPES)
def test_questions_are_found_and_nothing_else_becomes_a_card(name, guide_path):
    guide, want = parsed(guide_path(name)), expected(name)
    cards = by_question(guide.cards)
    questions = [norm(q) for q in want["questions"]]
    recall = sum(q in cards for q in questions) / len(questions)
    assert recall >= 0.95, [q for q in questions if q not in cards]
    others = [c.question for c in guide.cards if norm(c.question) not in questions]
    assert len(others) <= 0.05 * len(guide.cards), others
    assert not [n for n in want["not_cards"] if norm(n) in cards]
    assert guide.warnings == []


@pytest.mark.parametrize("name", SHAPES)
def test_topics_difficulty_and_missing_answers_come_from_the_guide(name, guide_path):
    guide, want = parsed(guide_path(name)), expected(name)
    cards = by_question(guide.cards)
    topics = {q: cards[norm(q)].topic for q in want["questions"] if norm(q) in cards}
    if want["topics"]:
        assert topics == {q: t for q, t in want["topics"].items() if q in topics}
        assert guide.topics == list(dict.fromkeys(want["topics"].values()))
    else:  # no section headings: topics from clustering the cards, named by their words
        assert "" not in topics.values() and 2 <= len(guide.topics) <= 8
        assert set(topics.values()) <= set(guide.topics)
    levels = {q: cards[norm(q)].difficulty for q in want["questions"] if norm(q) in cards}
    assert levels == {q: want["difficulty"].get(q) for q in levels}
    assert sorted(norm(c.question) for c in guide.cards if c.no_reference) == sorted(
        norm(q) for q in want["no_reference"])


@pytest.mark.parametrize("name", SHAPES)
def test_answers_keep_their_content_and_lose_the_markers(name, guide_path):
    guide = parsed(guide_path(name))
    for card in guide.cards:
        assert not re.search("[👶⭐🚀]", card.question), card.question
        if card.no_reference:
            assert card.body == "" and card.key_points == []
            continue
        assert card.key_points, card.question
        assert {c.card_id for c in guide.chunks if c.card_id == card.id} == {card.id}


def test_code_tables_formulas_and_sub_headings_stay_in_the_answer():
    guide = parsed(GUIDES / "numbered_markdown.md")
    cards = by_question(guide.cards)
    attention = cards[norm("Explain the self-attention mechanism in Transformers.")]
    assert "def attention(Q, K, V):" in attention.body
    assert "## 2. Softmax over the keys" in attention.body  # a comment in code, verbatim
    assert "\\text{Attention}(Q, K, V)" in attention.body
    families = cards[norm("What is the difference between encoder-only, decoder-only and "
                          "encoder-decoder models?")]
    assert "| Decoder-only | GPT family, LLaMA |" in families.body
    assert "Encoder-only" in [k.label for k in families.key_points]
    training = cards[norm("How are LLMs trained?")]
    assert [k.label for k in training.key_points] == [
        "Pre-training", "Supervised fine-tuning", "Preference alignment"]
    dropped = {d.reason for d in guide.dropped}
    assert {"image or badge", "link list"} <= dropped


def test_scenario_cards_keep_title_context_and_question():
    guide = parsed(GUIDES / "scenarios.md")
    card = next(c for c in guide.cards if c.heading.startswith("Scenario 4:"))
    assert card.kind == "scenario" and card.topic == "Scenario-Based Questions"
    assert card.question == "How would you make the assistant safe against this kind of attack?"
    assert card.body.startswith("An assistant reads a user's inbox")
    assert all("inbox" not in k.text for k in card.key_points)  # the setting is not a point


def test_pdf_furniture_and_table_of_contents_are_dropped_with_line_numbers(guide_path):
    for name in ("pdf_converted.txt", "pdf_twocolumn.pdf"):
        guide = parsed(guide_path(name))
        text = "\n".join(c.body for c in guide.cards)
        for noise in ("Page 3", "Join our bootcamp", "ML Interview Handbook",
                      "Data Science Interview Notes |", ".........."):
            assert noise not in text, (name, noise)
        assert all(d.line > 0 and d.reason for d in guide.dropped)
    converted = parsed(GUIDES / "pdf_converted.txt")
    assert converted.removed["table of contents"] >= 15
    assert any(d.reason == "page header/footer" and "Handbook" in d.text
               for d in converted.dropped)


def test_two_columns_are_read_in_order(guide_path):
    guide = parsed(guide_path("pdf_twocolumn.pdf"))
    power = by_question(guide.cards)[norm("What is statistical power and what does it depend on?")]
    assert "decreases as the variance of the metric grows" in " ".join(power.body.split())
    assert [c.question[:12] for c in guide.cards[:3]] == [
        "What is a p-", "What is the ", "What is stat"]


def test_clustered_topics_recover_a_guides_own_sections():
    """Remove qa_plain's topic lines: clustering groups its questions much as its author did."""
    text = read_guide(GUIDES / "qa_plain.txt")
    want = expected("qa_plain")["topics"]
    bare = "\n".join(line for line in text.splitlines()
                     if line.strip() not in set(want.values()))
    guide = parse_guide(bare, "bare.txt", set())
    cards = by_question(guide.cards)
    clusters: dict[str, list[str]] = {}
    for question, topic in want.items():
        clusters.setdefault(cards[norm(question)].topic, []).append(topic)
    purity = sum(max(map(members.count, members)) for members in clusters.values()) / len(want)
    assert len(clusters) >= 2 and purity >= 0.7, clusters


def test_bundled_guide_keeps_its_curated_topics():
    from tutor.core.settings import BUNDLED_GUIDE

    guide = parse_guide(BUNDLED_GUIDE.read_text(encoding="utf-8"), "any-name.txt", set())
    assert len(guide.cards) == 49
    assert "RAG & vector search" in guide.topics and "Scenarios" in guide.topics


def write_scanned_pdf(path: Path) -> Path:
    """A PDF whose page is a picture: drawn shapes, no text layer."""
    pytest.importorskip("reportlab", reason="pip install 'tutor[test]'")
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(path))
    for row in range(30):  # lines of "handwriting"
        page.rect(60, 760 - row * 22, 300 + (row * 37) % 180, 9, fill=1)
    page.showPage()
    page.save()
    return path


def test_pdf_without_text_layer_says_ocr_is_needed_and_leaves_the_index(tmp_path: Path):
    from tutor.index.build import ingest_paths
    from tutor.index.knowledge import KnowledgeBase

    settings = Settings(data_dir=tmp_path / "d")
    ingest_paths([GUIDES / "qa_plain.txt"], settings)
    before = (settings.index_dir / "manifest.json").read_text()
    scan = write_scanned_pdf(tmp_path / "scan.pdf")
    with pytest.raises(InputError, match="OCR is needed") as err:
        ingest_paths([scan], settings)
    assert "\n" not in str(err.value)
    assert (settings.index_dir / "manifest.json").read_text() == before
    assert len(KnowledgeBase.load(settings.index_dir).cards) == 14


def test_clustering_topics_survives_a_card_that_shares_no_word_with_the_others():
    from tutor.ingest.topics import clustered_topics

    texts = [f"Gradient descent updates weights along the gradient, step {i}." for i in range(4)]
    texts += [f"Decision trees split features by impurity, depth {i}." for i in range(4)]
    texts.append("")  # an unanswered question
    topics = clustered_topics(texts)  # scipy's cosine distance made this a ValueError (NaN)
    assert len(topics) == len(texts) and all(topics[:8])


def test_cards_lists_a_code_only_answer_as_such(tmp_path: Path):
    from click.testing import CliRunner

    from tutor.cli.main import cli
    from tutor.index.build import ingest_paths

    guide = tmp_path / "coding.md"
    guide.write_text("# Coding\n\n### Q1: Implement a function that reverses a list.\n\n"
                     "```python\ndef reverse(xs):\n    return xs[::-1]\n```\n\n"
                     "### Q2: What does a hash map trade for its constant-time lookups?\n\n"
                     "A hash map spends extra memory on buckets to get constant-time lookups.\n\n"
                     "### Q3: What is a heap?\n\nAnswer here.\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "d")
    ingest_paths([guide], settings)
    result = CliRunner().invoke(cli, ["cards"], env={"TUTOR_DATA_DIR": str(settings.data_dir)})
    assert result.exit_code == 0, result.output
    status = {line.split()[0]: line for line in result.output.splitlines()}
    assert "code only" in status["implement-a-function-that-reverses-a-list"]
    assert " 1 pts" in status["what-does-a-hash-map-trade-for-its-constant-time-lookups"]
    assert "no answer" in status["what-is-a-heap"]


def write_short_pdf(out: Path, footer: str, questions: list[tuple[str, str]]) -> Path:
    """One question per page, each page with `footer` (formatted with its number)."""
    pytest.importorskip("reportlab", reason="pip install 'tutor[test]'")
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(out))
    for n, (question, answer) in enumerate(questions, 1):
        page.setFont("Helvetica-Bold", 13)
        page.drawString(72, 760, question)
        page.setFont("Helvetica", 11)
        for i, sentence in enumerate(answer.split(". ")):
            page.drawString(72, 730 - 18 * i, sentence.rstrip(".") + ".")
        page.setFont("Helvetica", 8)
        page.drawString(72, 30, footer.format(n))
        page.showPage()
    page.save()
    return out


def test_a_two_page_pdfs_numbered_footer_is_no_rubric_point(tmp_path: Path):
    """Found ingesting a new two-page PDF: its footer ("LLM Notes - page 1 | www...") became
    two essential points of the last card, since running lines were looked for on three pages
    or more. A line on every page's edge whose number counts the pages is furniture."""
    pdf = write_short_pdf(tmp_path / "notes.pdf", "LLM Notes - page {} | www.example-prep.com", [
        ("Q1. What is a KV cache?", "It stores the keys and values of past tokens. Each new "
         "step then only computes attention for the newest token."),
        ("Q2. What is quantization?", "It stores weights with fewer bits. The model needs "
         "less memory and runs faster.")])
    guide = parsed(pdf)
    assert len(guide.cards) == 2
    text = "\n".join(c.body for c in guide.cards)
    assert "example-prep" not in text and "fewer bits" in text
    assert [d.reason for d in guide.dropped if "example-prep" in d.text] == [
        "page header/footer"] * 2
