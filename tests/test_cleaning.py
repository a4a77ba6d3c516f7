from tutor.ingest.cleaning import (
    CleanReport,
    clean,
    clean_lines,
    dedupe_lines,
    normalise_line,
)
from tutor.ingest.markup import read_lines
from tutor.ingest.parse import parse_guide


def test_normalise_line_fixes_pdf_markup():
    assert normalise_line("2.Data Reconstruction for Creative Generation:") == (
        "2. Data Reconstruction for Creative Generation:"
    )
    assert normalise_line(" - oThe generator tries to fool") == "- The generator tries to fool"
    assert normalise_line("- **Bias:** AI models\u00a0can") == "- Bias: AI models can"


def test_clean_lines_drops_furniture_and_promotions():
    text = "\n".join([
        "ZEP ANALYTICS", "TABLE OF CONTENTS", "Part- 1", "What is RAG?", "",
        "Become a part of the team at Zep", "[Explore](#)", "RAG retrieves passages.",
    ])
    report = CleanReport()
    lines = clean_lines(text, report)
    assert lines == ["Part- 1", "What is RAG?", "", "RAG retrieves passages."]
    assert report.removed["page furniture"] == 2
    assert report.removed["table of contents"] == 1
    assert report.removed["promotion"] == 1
    assert [(d.line, d.reason) for d in report.dropped][:2] == [(1, "page furniture"),
                                                                 (2, "table of contents")]


def test_dedupe_drops_repeats_and_truncated_copies():
    lines = [
        "- Coding Assistance: some LLMs help programmers by generating code.",
        "- Language Translation: LLMs handle nuance.",
        "- Coding Assistance: some LLMs help programmers by generating code.",
        "- Coding Assistance: some LLMs help programmers by",
    ]
    report = CleanReport()
    assert dedupe_lines(lines, report) == lines[:2]
    assert report.removed["duplicate line"] == 2


def reasons(text: str) -> tuple[list[str], dict[int, str]]:
    report = CleanReport()
    kept = [ln.text for ln in clean(read_lines(text), report) if ln.text]
    return kept, {d.line: d.reason for d in report.dropped}


def test_markdown_noise_is_dropped_and_reported_by_line():
    kept, dropped = reasons("\n".join([
        '<div align="center">',  # 1
        "[![Stars](https://img.shields.io/badge/x.svg)](https://x) ![b](https://y/b.svg)",
        "</div>",
        "## Table of Contents",  # 4
        "- [Basics](#basics)",
        "- [Advanced](#advanced)",
        "",
        "Legend: 👶 easy, ⭐️ medium, 🚀 hard",  # 8
        "## Basics",
        "![diagram](img/arch.png)",  # 10
        "- [Paper one](https://arxiv.org/abs/1)",
        "- [Paper two](https://arxiv.org/abs/2)",
        "Real content stays.",
        "---",  # 14
        "Made with love. Follow me on Twitter!",
    ]))
    assert kept == ["## Basics", "Real content stays."]
    assert dropped == {1: "html", 2: "image or badge", 3: "html", 4: "table of contents",
                       5: "table of contents", 6: "table of contents", 8: "legend",
                       10: "image or badge", 11: "link list", 12: "link list",
                       14: "horizontal rule", 15: "closing note"}


def test_code_blocks_are_content_even_when_they_look_like_noise():
    code = ["```python", "# 1. not a heading", "x = a**2", "", "    return 42", "```"]
    kept, dropped = reasons("\n".join(["Some answer:", *code, "12", "Page 3 of 9"]))
    assert kept == ["Some answer:", *[c for c in code if c]]
    assert set(dropped.values()) == {"page furniture"}


def test_running_headers_and_footers_are_found_at_page_edges():
    pages = [f"Stats Notes | Chapter {n % 2}\nAnswer text number {n} goes here.\n"
             f"More text about topic {n}.\nConfidential - do not share" for n in range(4)]
    kept, dropped = reasons("\f".join(pages))
    assert kept == [x for n in range(4) for x in (f"Answer text number {n} goes here.",
                                                  f"More text about topic {n}.")]
    assert set(dropped.values()) == {"page header/footer"} and len(dropped) == 8


def test_repeated_lines_without_pages_need_exact_repeats():
    text = "\n".join(f"Example {n}\nThe answer {n}.\nJoin our course today" for n in range(5))
    kept, dropped = reasons(text)
    assert "Example 3" in kept and "Join our course today" not in kept


def test_symbol_font_bullets_and_control_characters_are_cleaned():
    assert normalise_line("\x7f  What it is: further training") == "- What it is: further training"
    assert normalise_line("\uf0b7 Pros: cheap") == "- Pros: cheap"
    assert normalise_line("■ Cons: slow") == "- Cons: slow"
    assert normalise_line("desired resp\u00adonses, a\x07 b") == "desired responses, a b"
    guide = parse_guide("\n".join([
        "1. What is LoRA?", "", "\x7f  Low-rank adapters trained beside frozen weights.", "",
        "2. What is QLoRA?", "", "\x7f  LoRA over a 4-bit quantised base model.",
    ]), "g.txt", set())
    text = " ".join(c.body + " ".join(k.text + k.label for k in c.key_points)
                    for c in guide.cards)
    assert len(guide.cards) == 2 and "\x7f" not in text
    assert guide.cards[0].body == "- Low-rank adapters trained beside frozen weights."


def test_links_keep_their_words_not_their_addresses():
    url = ("https://example.com/qa/#2:~:text=for%20large%20datasets.-,Q2%3A%20Describe"
           "%20(the)%20forest")
    guide = parse_guide("\n".join([
        "## Q1: What is an outlier?", "",
        f"An extreme point; several methods are listed [here]({url}).", "",
        "## Q2: What is L1 regularization?", "",
        f"A penalty on [absolute weights]({url} \"title\"). The rest of the answer is "
        f"[here]({url}). Code keeps `a[i](j)` as written.",
    ]), "g.md", set())
    bodies = [c.body for c in guide.cards]
    assert bodies == [  # sentences that only point to a link go (test_pointer_sentences_...)
        "An extreme point",
        "A penalty on absolute weights. Code keeps `a[i](j)` as written.",
    ]
    points = " ".join(k.text for c in guide.cards for k in c.key_points)
    assert "%20" not in points and "https" not in points


def test_sentences_that_only_point_elsewhere_are_dropped_and_reported():
    url = "https://example.com/qa#2:~:text=the%20rest"
    guide = parse_guide("\n".join([
        "## Q1: What is bagging?", "",
        f"Bagging averages trees fit on bootstrap samples. The rest of the answer is [here]({url})",
        f"- Read more [in this article]({url}).",
        f"Dropout zeroes random units during training (see [here]({url})).",
        "The rest of the answer is in the course notes.", "",
        "## Q2: What is boosting?", "",
        f"The rest of the answer is [here]({url})",
    ]), "g.md", set())
    bagging, boosting = guide.cards
    assert bagging.body == ("Bagging averages trees fit on bootstrap samples.\n"
                            "Dropout zeroes random units during training (see here).")
    assert [k.text for k in bagging.key_points] == bagging.body.split("\n")
    assert boosting.no_reference and not boosting.key_points  # nothing but a pointer
    assert [(d.line, d.text) for d in guide.dropped if d.reason == "pointer to elsewhere"] == [
        (3, "The rest of the answer is here"), (4, "Read more in this article."),
        (6, "The rest of the answer is in the course notes."),
        (10, "The rest of the answer is here")]
