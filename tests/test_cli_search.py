"""`tutor ingest` and `tutor search` end to end through the real CLI."""

import json
from pathlib import Path

from click.testing import CliRunner

from tutor.cli.main import cli


def run(args, env=None):
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def test_search_builds_index_on_first_use_and_answers_json(indexed_settings):
    env = {"TUTOR_DATA_DIR": str(indexed_settings.data_dir)}
    result = run(["search", "what does the discriminator output", "--k", "3", "--json"], env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["query"] == "what does the discriminator output"
    assert len(data["hits"]) == 3
    assert {"chunk_id", "card_id", "section", "question", "text", "score", "dense_rank",
            "bm25_rank"} <= set(data["hits"][0])


def test_search_batch(indexed_settings, tmp_path: Path):
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"query": "what is qlora"}\nnot json\n{"q": 1}\n'
                     '{"query": "vector database"}\n')
    env = {"TUTOR_DATA_DIR": str(indexed_settings.data_dir)}
    result = run(["search", "--batch", str(batch), "--json", "--k", "2"], env)
    assert result.exit_code == 0
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert lines[0]["hits"][0]["section"] == "What is LoRA and QLoRA?"
    assert "error" in lines[1] and "error" in lines[2]
    assert lines[3]["query"] == "vector database" and len(lines[3]["hits"]) == 2


def test_ingest_summary_and_errors(tmp_path: Path):
    guide = tmp_path / "g.md"
    guide.write_text("# What is attention?\n\nAttention weighs tokens.\n\n"
                     "# What is a KV cache?\n\nIt stores past keys and values.\n")
    env = {"TUTOR_DATA_DIR": str(tmp_path / "d")}
    first = run(["ingest", str(guide)], env)
    assert first.exit_code == 0 and "cards:  2" in first.stdout
    again = run(["ingest", str(guide), "--json"], env)
    assert json.loads(again.stdout)["files_unchanged"] == [str(guide.resolve())]
    missing = run(["ingest", str(tmp_path / "nope.txt")], env)
    assert missing.exit_code == 1
    assert missing.stderr.strip().startswith("error: No such file")
    assert len(missing.stderr.strip().splitlines()) == 1


def test_invalid_setting_is_one_line(tmp_path: Path):
    result = run(["search", "x"], {"TUTOR_TOP_K": "999", "TUTOR_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 1
    assert "Invalid setting" in result.stderr or "Invalid setting" in result.output


def test_cards_and_grade_by_card(indexed_settings):
    env = {"TUTOR_DATA_DIR": str(indexed_settings.data_dir)}
    listed = json.loads(run(["cards", "--json"], env).stdout)
    assert len(listed) == 49 and {"card_id", "section", "topic", "kind"} <= set(listed[0])
    graded = run(["grade", "--card", "what-is-a-vector-database", "-a",
                  "It stores embeddings and finds similar vectors.", "--json"], env)
    assert graded.exit_code == 0, graded.output
    assert json.loads(graded.stdout)["card_id"] == "what-is-a-vector-database"
    unknown = run(["grade", "--card", "nope", "-a", "x"], env)
    assert unknown.exit_code == 1 and "Unknown card id" in unknown.stderr


def test_grade_refuses_a_question_the_guide_does_not_cover(indexed_settings, tmp_path: Path):
    """A free question the guide does not treat is not graded against its nearest card (a
    correct answer on speculative decoding was scored as a poor one on knowledge distillation);
    with a reference answer it is graded against that, and a batch reports it on its own line."""
    env = {"TUTOR_DATA_DIR": str(indexed_settings.data_dir)}
    question = "How does speculative decoding speed up LLM inference with a small draft model?"
    answer = "A small draft model proposes several tokens that the large model verifies at once."
    refused = run(["grade", "-q", question, "-a", answer], env)
    assert refused.exit_code == 1 and refused.stdout == ""
    message = refused.stderr.strip()
    assert len(message.splitlines()) == 1 and "does not cover this question" in message
    assert "nearest section" in message and "reference" in message
    huge = run(["grade", "-q", " ".join([question] * 400), "-a", answer], env)  # ~30k chars
    assert huge.exit_code == 1 and "does not cover this question" in huge.stderr
    referenced = run(["grade", "-q", question, "-a", answer, "-r", answer, "--json"], env)
    assert referenced.exit_code == 0, referenced.output
    assert json.loads(referenced.stdout)["score"] >= 4.0
    paraphrased = run(["grade", "-q", "Why does RAG keep answers up to date without retraining?",
                       "-a", "It retrieves from documents that are updated, at query time.",
                       "--json"], env)
    assert paraphrased.exit_code == 0, paraphrased.output  # a guide question in other words
    batch = tmp_path / "b.jsonl"
    batch.write_text(json.dumps({"question": question, "answer": answer}) + "\n"
                     + json.dumps({"question": "What is a vector database?",
                                   "answer": "It stores embeddings."}) + "\n")
    lines = [json.loads(x) for x in run(["grade", "--batch", str(batch)], env).stdout.splitlines()]
    assert "does not cover this question" in lines[0]["error"] and "score" in lines[1]
