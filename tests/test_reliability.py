"""Bad input, faults and crashes: one clear line, nothing lost, nothing crashes."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tutor.cli.main import cli
from tutor.core.errors import InputError, TutorError
from tutor.core.settings import Settings
from tutor.grading.llm_grader import LLMGrader
from tutor.llm.client import OpenAIChatModel

Q = "What is a vector database?"
ANSWER = "A vector database stores embeddings and retrieves similar vectors by distance."
SECRET = "sk-test-SECRET-0123456789abcdef"


# ---------- property-based: any text in, a valid grade or a clear error out ----------

@hsettings(max_examples=25, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=st.text(max_size=400))
def test_any_answer_gets_a_valid_grade(embedded_grader, answer):
    grade = embedded_grader.grade(Q, answer)
    assert 0 <= grade.score <= 5
    assert grade.verdict


@hsettings(max_examples=15, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=st.text(max_size=200), answer=st.text(max_size=200))
def test_any_question_gets_a_grade_or_a_clear_error(embedded_grader, question, answer):
    try:
        grade = embedded_grader.grade(question, answer)
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc)
    else:
        assert 0 <= grade.score <= 5


@hsettings(max_examples=40, deadline=None)
@given(text=st.text(max_size=2000))
def test_parser_never_crashes(text):
    from tutor.ingest.parse import parse_guide

    guide = parse_guide(text, "fuzz.txt", set())
    for chunk in guide.chunks:
        assert chunk.card_id in {c.id for c in guide.cards}


@pytest.mark.parametrize("answer", [
    "\x00\x01\x02 binary \xff\xfe junk", "a" * 1_000_000, "<script>alert(1)</script> **bold**",
    "\ud800 lone surrogate", "\u202e right-to-left override text about embeddings",
], ids=["binary", "1MB", "html", "surrogate", "rtl"])
def test_hostile_answers_grade_cleanly(embedded_grader, answer):
    started = time.monotonic()
    grade = embedded_grader.grade(Q, answer)
    assert 0 <= grade.score <= 5
    assert time.monotonic() - started < 60
    json.dumps(grade.model_dump(mode="json"))


def test_cli_reads_invalid_utf8_from_stdin(indexed_settings):
    env = {"TUTOR_DATA_DIR": str(indexed_settings.data_dir)}
    result = CliRunner().invoke(cli, ["grade", "-q", Q, "-a", "-", "--json"], env=env,
                                input=b"embeddings \xff\xfe stored as vectors "
                                      b"for similarity search")
    assert result.exit_code == 0, result.output
    assert 0 <= json.loads(result.stdout)["score"] <= 5


@pytest.mark.parametrize("data", [bytes(range(256)) * 8, b"\xff\xfe\xfa" * 200],
                         ids=["with NUL", "not UTF-8"])
def test_cli_refuses_binary_stdin_in_one_line(indexed_settings, data):
    env = {"TUTOR_DATA_DIR": str(indexed_settings.data_dir)}
    result = CliRunner().invoke(cli, ["grade", "-q", Q, "-a", "-"], env=env, input=data)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "binary data" in result.stderr


def test_cli_missing_arguments_is_one_line(indexed_settings):
    result = CliRunner().invoke(cli, ["grade", "-q", Q],
                                env={"TUTOR_DATA_DIR": str(indexed_settings.data_dir)})
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "--answer" in result.stderr


def test_batch_file_missing_is_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["grade", "--batch", str(tmp_path / "none.jsonl")],
                                env={"TUTOR_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 1 and "Cannot read" in result.stderr


# ---------- the LLM path against a server that misbehaves on purpose ----------

def llm_grader(url, embedded_grader, **kw):
    settings = Settings(data_dir=Path("/tmp"), llm_base_url=url, llm_model="m",
                        llm_api_key=SECRET, llm_timeout=kw.pop("timeout", 3), llm_retries=1, **kw)
    return LLMGrader(OpenAIChatModel(settings, backoff=0.05), embedded_grader)


@pytest.mark.parametrize("mode", ["slow", "429", "500", "length", "invalid"])
def test_llm_faults_fall_back_with_warning(misbehaving_server, embedded_grader, mode, caplog):
    misbehaving_server.set(mode)
    grade = llm_grader(misbehaving_server.url, embedded_grader, timeout=2).grade(Q, ANSWER)
    assert grade.grader == "embedded"
    assert any("graded offline" in w for w in grade.warnings)
    assert SECRET not in json.dumps(grade.model_dump(mode="json"))
    assert SECRET not in caplog.text
    if mode in ("429", "500"):
        assert misbehaving_server.count <= 2  # bounded: 1 try + 1 retry


def test_llm_connection_refused_falls_back(embedded_grader):
    from tests.misbehaving_server import closed_url

    grade = llm_grader(closed_url(), embedded_grader).grade(Q, ANSWER)
    assert grade.grader == "embedded" and any("graded offline" in w for w in grade.warnings)


def test_llm_made_up_quotes_are_dropped(misbehaving_server, embedded_grader, verifier):
    misbehaving_server.set("payload", payload={
        "points": [{"id": 1, "status": "covered", "evidence": "stores embeddings",
                    "guide_quote": "Vector databases were invented by the guide authors in 1850."},
                   {"id": 2, "status": "covered", "evidence": "not in the answer at all",
                    "guide_quote": ""}],
        "incorrect_claims": []})
    grade = llm_grader(misbehaving_server.url, embedded_grader).grade(Q, ANSWER)
    assert grade.grader == "llm:m"
    assert any("not verbatim" in w for w in grade.warnings)
    assert all(verifier.exists(c.quote, c.chunk_id) for c in grade.citations())


def test_interview_goes_on_when_the_llm_is_down(embedded_grader, kb, tmp_path):
    from tests.misbehaving_server import closed_url
    from tutor.interview.planning import InterviewConfig
    from tutor.interview.session import InterviewSession
    from tutor.storage.store import Store

    with Store(tmp_path / "db.sqlite") as store:
        session = InterviewSession.start(store, kb, llm_grader(closed_url(), embedded_grader),
                                         InterviewConfig(questions=2, seed=1))
        outcome = session.answer(ANSWER)
        assert any("graded offline" in w for w in outcome.grade.warnings)
        assert len(store.turns(session.id)) == 1
        assert session.current() is not None


def test_cli_never_prints_the_api_key(indexed_settings):
    from tests.misbehaving_server import closed_url

    env = {"TUTOR_DATA_DIR": str(indexed_settings.data_dir), "TUTOR_LLM_BASE_URL": closed_url(),
           "TUTOR_LLM_API_KEY": SECRET, "TUTOR_LLM_TIMEOUT": "2", "TUTOR_LLM_RETRIES": "0"}
    result = CliRunner().invoke(cli, ["-v", "grade", "-q", Q, "-a", ANSWER, "--json"], env=env)
    assert result.exit_code == 0
    assert SECRET not in result.output and SECRET not in (result.stderr or "")
    assert "graded offline" in result.stdout


# ---------- crash safety of ingestion ----------

def test_kill_9_during_ingest_keeps_the_old_index(tmp_path):
    from tutor.index.build import ingest_paths
    from tutor.retrieval.hybrid import open_retriever

    settings = Settings(data_dir=tmp_path / "d")
    guide = tmp_path / "guide.txt"
    guide.write_text(Path(settings.guide_path).read_text(encoding="utf-8"), encoding="utf-8")
    ingest_paths([guide], settings)
    manifest = (settings.index_dir / "manifest.json").read_text()
    guide.write_text(guide.read_text() + "\n\nWhat is a KV cache?\n\nIt stores keys and values.\n")
    env = {**os.environ, "TUTOR_DATA_DIR": str(settings.data_dir), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "tutor.cli", "ingest", str(guide), "--rebuild"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = b""
    deadline = time.monotonic() + 240
    while b"embedding" not in seen and time.monotonic() < deadline and proc.poll() is None:
        seen += proc.stderr.read1(4096)  # the progress bar appears once embedding has begun
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert b"embedding" in seen, "ingest never reached the embedding step"
    assert (settings.index_dir / "manifest.json").read_text() == manifest
    hits = open_retriever(settings).search("QLoRA 4-bit", 1)
    assert hits[0].chunk.heading == "What is LoRA and QLoRA?"


def test_corrupted_vector_store_is_reported(tmp_path):
    from tutor.index.build import ingest_paths
    from tutor.retrieval.hybrid import open_retriever

    settings = Settings(data_dir=tmp_path / "d")
    guide = tmp_path / "g.md"
    guide.write_text("# What is A?\n\nA is a thing about vectors.\n\n"
                     "# What is B?\n\nB is another.\n")
    ingest_paths([guide], settings)
    for f in (settings.index_dir / "chroma").rglob("*.sqlite3"):
        f.write_bytes(b"garbage" * 100)
    with pytest.raises(TutorError) as err:
        open_retriever(settings).search("vectors", 1)
    assert "tutor ingest --rebuild" in str(err.value)


def test_cli_takes_the_question_and_the_answer_as_arguments(indexed_settings):
    """A new user's first try, `tutor grade "question" "answer"`, was click's usage error."""
    env = {"TUTOR_DATA_DIR": str(indexed_settings.data_dir)}
    answer = "It stores embeddings and answers nearest-neighbour similarity queries."
    by_name = CliRunner().invoke(cli, ["grade", "-q", Q, "-a", answer, "--json"], env=env)
    in_order = CliRunner().invoke(cli, ["grade", Q, answer, "--json"], env=env)
    assert by_name.exit_code == 0 and in_order.exit_code == 0, in_order.output
    assert json.loads(in_order.stdout)["score"] == json.loads(by_name.stdout)["score"]
    too_many = CliRunner().invoke(cli, ["grade", Q, answer, "more"], env=env)
    assert too_many.exit_code == 1 and too_many.stderr.strip().count("\n") == 0
    assert "Too many arguments" in too_many.stderr
