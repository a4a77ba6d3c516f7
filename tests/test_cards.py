"""The bundled guide becomes 49 clean cards with located key points."""

from pathlib import Path

from tutor.ingest.parse import parse_guide

from tutor.core.settings import BUNDLED_GUIDE
from tutor.core.text import normalise_ws

SECTIONS = ((Path(__file__).parent.parent / "data" / "eval" / "sections.txt")
            .read_text().splitlines())
FURNITURE = ["ZEP ANALYTICS", "TABLE OF CONTENTS", "Become a part of the team", "[Explore]",
             "Part- 1", "tech blogger", "DS/AI Masters"]


def parsed():
    return parse_guide(BUNDLED_GUIDE.read_text(encoding="utf-8"), "guide.txt", set())


def test_every_section_becomes_one_card():
    guide = parsed()
    assert [c.heading for c in guide.cards] == SECTIONS
    assert sum(c.kind == "scenario" for c in guide.cards) == 8
    assert len({c.id for c in guide.cards}) == 49
    assert guide.warnings == []


def test_table_of_contents_and_noise_are_not_content():
    guide = parsed()
    assert guide.removed["table of contents"] >= 46
    for chunk in guide.chunks:
        for noise in FURNITURE:
            assert noise not in chunk.text, (chunk.id, noise)


def test_scenario_card_has_its_question_text():
    card = next(c for c in parsed().cards if c.heading.startswith("Scenario 5:"))
    assert card.question.startswith("Imagine a law firm using an LLM-powered tool")
    assert card.question.endswith(
        "How would you address and reduce hallucinations in this scenario?")
    assert not card.body.startswith("Question:")
    assert card.part == "Scenarios"


def test_key_points_spot_checks():
    cards = {c.heading: c for c in parsed().cards}
    mode = cards["How do you handle mode collapse in Generative Adversarial Networks (GANs)?"]
    labels = [k.label for k in mode.key_points]
    for expected in ["Minibatch Discrimination", "Unrolled GANs", "Feature Matching",
                     "Progressive Growing"]:
        assert expected in labels
    limits = cards["What are the limitations of Generative AI?"]
    assert [k.label for k in limits.key_points] == [
        "Limited Knowledge", "Bias", "Errors", "Copyright Infringement", "Risk of Lay-offs"]


def test_chunks_stay_inside_their_card_and_key_points_are_located():
    guide = parsed()
    bodies = {c.id: normalise_ws(c.body) for c in guide.cards}
    chunks = {c.id: c for c in guide.chunks}
    for chunk in guide.chunks:
        assert normalise_ws(chunk.text) in bodies[chunk.card_id]
    for card in guide.cards:
        assert card.key_points, card.id
        for kp in card.key_points:
            chunk = chunks[kp.chunk_id]
            assert chunk.card_id == card.id
            assert normalise_ws(kp.text) in normalise_ws(chunk.text)
            assert chunk.text[kp.start:kp.end].startswith(kp.text.split("\n")[0])


def test_unstructured_text_ingests_as_plain_passages_with_warning():
    text = "\n\n".join(f"Paragraph {i} talks about embeddings and vectors in some depth." * 3
                       for i in range(10))
    guide = parse_guide(text, "notes.txt", set())
    assert guide.warnings and "plain passages" in guide.warnings[0]
    assert guide.cards and all(c.kind == "plain" for c in guide.cards)
    assert guide.chunks


def test_markdown_guide_headings_are_recognised():
    text = ("# What is attention?\n\nAttention weighs tokens by relevance to each other.\n\n"
            "# What is a KV cache?\n\nThe KV cache stores keys and values of past tokens.\n")
    guide = parse_guide(text, "notes.md", set())
    assert [c.heading for c in guide.cards] == ["What is attention?", "What is a KV cache?"]
