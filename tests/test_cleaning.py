from tutor.ingest.cleaning import CleanReport, clean_lines, dedupe_lines, normalise_line


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
    assert report.removed["page furniture"] == 3
    assert report.removed["promotion"] == 1


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
