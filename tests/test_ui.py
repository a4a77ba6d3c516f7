"""The Streamlit app driven headlessly (AppTest): every page over the real index and grader."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from click.testing import CliRunner  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402
from tutor.ui.markup import escape_markdown  # noqa: E402

from tutor.cli.main import cli  # noqa: E402
from tutor.cli.ui import app_path, streamlit_command  # noqa: E402

APP = Path(__file__).resolve().parent.parent / "ui" / "app.py"
TIMEOUT = 180  # the first run loads the embedding model
ANSWER = ("Transformers use **self-attention** to weigh every token against the others, "
          "processing the sequence in parallel. <b>not html</b> [link](http://x) :red[no]")


LEARNER = "learner"


@pytest.fixture
def ui_db(app_db, monkeypatch) -> Path:
    """The app over the session's index and its own database, pinned to one learner."""
    monkeypatch.setenv("TUTOR_PROFILE", LEARNER)
    return app_db


@pytest.fixture
def app_db(indexed_settings, tmp_path, monkeypatch) -> Path:
    """The app over the session's index, with its own learner database and no learner set."""
    monkeypatch.setenv("TUTOR_DATA_DIR", str(indexed_settings.data_dir))
    db = tmp_path / "tutor.db"
    monkeypatch.setenv("TUTOR_DB_PATH", str(db))
    return db


def open_app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def charts(at: AppTest) -> list:
    return at.get("vega_lite_chart")


def specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in charts(at)]


def encodings(spec: dict, channel: str) -> list[dict]:
    """The `channel` encoding of every layer of a (possibly layered) Vega-Lite spec."""
    layers = spec.get("layer", [spec])
    return [layer["encoding"][channel] for layer in layers if channel in layer["encoding"]]


def start_interview(at: AppTest, questions: int = 1) -> None:
    at.sidebar.number_input[0].set_value(questions)
    at.sidebar.selectbox[0].set_value("concept")
    next(b for b in at.sidebar.button if b.label == "Start interview").click().run()
    assert "Question 1/" + str(questions) in markdown(at)


def test_interview_answer_grade_card_then_report(ui_db):
    at = open_app()
    assert "Start interview" in at.info[0].value
    start_interview(at)

    at.chat_input[0].set_value(ANSWER).run()
    assert not at.exception
    text = markdown(at)
    assert "**Score " in text and "/5**" in text
    assert len(at.get("progress")) == 1
    assert escape_markdown(ANSWER) in text  # the answer is shown literally, never as markup
    missed = [e for e in at.expander if "Missed" in e.label or "Partly" in e.label]
    assert missed and all(e.markdown[0].value.startswith("> ") for e in missed)

    for _ in range(2):  # a weak answer brings one follow-up: skip it with the chat command
        if "Interview report" in [s.value for s in at.subheader]:
            break
        at.chat_input[0].set_value("skip").run()
    assert [s.value for s in at.subheader] == ["Interview report"]
    assert at.success[0].value.startswith("Interview complete")
    assert charts(at), "per-topic bar chart"
    # the question is drawn at random; ANSWER answers the transformers card well enough that
    # nothing is left to reread, any other question leaves its section in the study plan (the
    # plan itself is checked by test_hint_and_show_answer_buttons, where it always shows)
    plan = "Study plan" in markdown(at)
    nothing_to_reread = any(s.value.startswith("No section to reread") for s in at.success)
    assert plan != nothing_to_reread
    assert not at.chat_input, "no answer box once the interview is over"

    at.button(key="again").click().run()
    assert "Start interview" in at.info[0].value


def test_hint_and_show_answer_buttons(ui_db):
    at = open_app()
    start_interview(at)
    at.button(key="action_hint").click().run()
    assert any(c.value.startswith(escape_markdown("Hint: ")) for c in at.caption)
    at.button(key="action_show answer").click().run()
    assert any("The guide's answer" in c.value for c in at.caption)
    assert "Study plan" in markdown(at)  # shown answers count as not answered


def test_resume_an_unfinished_interview(ui_db):
    at = open_app()
    start_interview(at, questions=2)
    at.button(key="action_skip").click().run()
    assert "Question 2/2" in markdown(at)

    again = open_app()  # another browser session
    assert again.sidebar.selectbox(key="resume_choice").options
    again.sidebar.button(key="resume").click().run()
    text = markdown(again)
    assert "Question 1/2" in text and "Question 2/2" in text  # the transcript is replayed
    assert again.chat_input


def test_grade_a_guide_question(ui_db, kb):
    at = open_app("views/grade.py")
    card = next(c for c in kb.cards if c.key_points)
    at.selectbox(key="grade_card").set_value(card.id)
    at.text_area(key="grade_answer").set_value(card.body[:400])
    at.button(key="grade_button").click().run()
    assert not at.exception
    assert "**Score " in markdown(at) and len(at.get("progress")) == 1
    assert any(e.label == "The guide's full answer" for e in at.expander)


def test_grade_my_own_question_with_a_reference(ui_db):
    at = open_app("views/grade.py")
    at.radio(key="grade_source").set_value("My own question").run()
    at.text_input(key="grade_question").set_value("Why use a vector database?")
    at.text_area(key="grade_reference").set_value(
        "A vector database stores embeddings and finds the nearest ones quickly.")
    at.text_area(key="grade_answer").set_value("It stores embeddings for fast similarity search.")
    at.button(key="grade_button").click().run()
    assert not at.exception and "**Score " in markdown(at)


def test_unreachable_llm_grades_offline_with_a_clear_warning(ui_db, monkeypatch):
    from tests.helpers import free_port

    monkeypatch.setenv("TUTOR_LLM_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")  # nobody there
    monkeypatch.setenv("TUTOR_LLM_MODEL", "absent-model")
    monkeypatch.setenv("TUTOR_LLM_RETRIES", "0")
    at = open_app("views/grade.py")
    assert any("LLM (absent-model)" in c.value for c in at.caption)
    at.radio(key="grade_source").set_value("My own question").run()
    at.text_input(key="grade_question").set_value("What is retrieval-augmented generation?")
    at.text_area(key="grade_answer").set_value(
        "RAG retrieves relevant documents and gives them to the model as context.")
    at.button(key="grade_button").click().run()
    assert not at.exception and "**Score " in markdown(at)
    assert at.warning[0].value.startswith("The LLM could not be reached")


def test_grade_without_an_answer_asks_for_one(ui_db):
    at = open_app("views/grade.py")
    at.button(key="grade_button").click().run()
    assert "write an answer" in at.warning[0].value


def test_ask_answers_with_numbered_citations(ui_db):
    at = open_app("views/ask.py")
    at.chat_input[0].set_value("What is LoRA and why is it used for fine-tuning?").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    sources = [e for e in at.expander if e.label.startswith("\\[1\\]")]
    assert sources and sources[0].markdown[0].value.startswith("> ")
    assert any(c.value.startswith("Answered by") for c in at.caption)


def test_ask_outside_the_guide_says_so(ui_db):
    at = open_app("views/ask.py")
    at.chat_input[0].set_value("What is a good recipe for sourdough bread?").run()
    assert not at.exception and not at.error
    assert "does not cover" in at.info[0].value


def test_progress_empty_state(ui_db):
    at = open_app("views/progress.py")
    assert "No interviews yet" in at.info[0].value
    assert not charts(at)


def interviews(db: Path, kb, grader, seeds, profile: str = LEARNER) -> None:
    from tutor.interview.planning import InterviewConfig
    from tutor.interview.session import InterviewSession
    from tutor.storage.store import Store

    with Store(db, profile) as store:
        for seed in seeds:
            session = InterviewSession.start(store, kb, grader,
                                             InterviewConfig(questions=1, mix="concept", seed=seed))
            session.answer(session.current().card.body[:300])


def test_progress_with_history(ui_db, kb, embedded_grader):
    interviews(ui_db, kb, embedded_grader, (1, 2))
    at = open_app("views/progress.py")
    assert [m.label for m in at.metric] == ["Interviews", "Latest score", "Average"]
    assert at.metric[0].value == "2"
    score, topic, calendar = specs(at)  # per interview, per topic, reviews per day
    for spec, axis in ((score, "y"), (topic, "x")):
        scales = encodings(spec, axis)
        assert scales and all(s["scale"]["domain"] == [0, 5] for s in scales), spec
        assert scales[0]["axis"]["title"] == "mean score (0-5)"
    assert encodings(score, "x")[0]["type"] == "temporal"
    assert encodings(score, "text"), "few interviews: each point shows its value"
    assert encodings(calendar, "y")[0]["title"] == "cards due"
    assert "Weakest topics" in [s.value for s in at.subheader]
    (table,) = at.dataframe
    plain = re.compile(r"now|later today|tomorrow|in \d+ (days|weeks|months)")
    assert all(plain.fullmatch(when) for when in table.value["next review"]), table.value


def test_progress_single_interview_is_a_labelled_point_on_a_dated_axis(ui_db, kb,
                                                                       embedded_grader):
    interviews(ui_db, kb, embedded_grader, (3,))
    at = open_app("views/progress.py")
    score = specs(at)[0]
    x = encodings(score, "x")[0]
    start, end = (datetime.fromisoformat(d) for d in x["scale"]["domain"])
    assert end - start == timedelta(days=2)  # a day either side of the one interview
    line = score["layer"][0]["mark"]
    assert line["point"], "the interview is drawn as a point"
    assert encodings(score, "text")[0]["format"] == ".1f"
    data = charts(at)[0].proto.datasets or charts(at)[0].proto.data
    assert data, "the chart carries its data"


@pytest.mark.parametrize("setup, expected", [
    ("damaged_index", "tutor ingest --rebuild"),
    ("bad_setting", "Invalid setting top_k"),
])
def test_errors_are_one_sentence_not_a_traceback(tmp_path, monkeypatch, setup, expected):
    if setup == "damaged_index":
        (tmp_path / "data" / "index").mkdir(parents=True)
        (tmp_path / "data" / "index" / "manifest.json").write_text(json.dumps({"version": 1}))
    else:
        monkeypatch.setenv("TUTOR_TOP_K", "0")
    monkeypatch.setenv("TUTOR_PROFILE", LEARNER)
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert not at.exception
    assert expected in at.error[0].value


def test_escape_markdown_renders_text_literally():
    assert escape_markdown("**b** _i_ [l](u) <b> $x$ :red[x] # h") == (
        r"\*\*b\*\* \_i\_ \[l\]\(u\) \<b\> \$x\$ \:red\[x\] \# h")
    assert escape_markdown("    line one\nline two") == "line one  \nline two"


def test_no_raw_html_anywhere_in_the_app():
    sources = [p.read_text() for p in APP.parent.rglob("*.py")]
    assert not any("unsafe_allow_html=" in s or "st.html(" in s for s in sources)


def test_ui_command_is_local_headless_and_private():
    result = CliRunner().invoke(cli, ["ui", "--help"])
    assert result.exit_code == 0 and "--port" in result.output and "127.0.0.1" in result.output
    command = streamlit_command(app_path(), 9999, "127.0.0.1")
    assert app_path() == APP
    flags = dict(zip(command[5::2], command[6::2], strict=True))
    assert flags["--server.address"] == "127.0.0.1" and flags["--server.port"] == "9999"
    assert flags["--server.headless"] == "true"
    assert flags["--browser.gatherUsageStats"] == "false"


def submit(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


def test_first_use_asks_a_name_and_learners_never_see_each_other(app_db, kb, embedded_grader):
    alice = open_app()
    assert alice.title[0].value == "Who is practising?"
    assert not [b for b in alice.button if b.key and b.key.startswith("pick_")]
    alice.text_input(key="learner_name").set_value("alice")
    submit(alice, "Start practising")
    assert "alice" in alice.sidebar.markdown[0].value
    assert alice.query_params["profile"] == "alice"
    start_interview(alice, questions=2)
    alice.button(key="action_skip").click().run()  # one answered turn, one left: resumable

    bob = open_app()  # another browser session, on the same server and database
    assert bob.button(key="pick_alice"), "list mode: existing learners are offered"
    bob.text_input(key="learner_name").set_value("bob")
    submit(bob, "Start practising")
    assert "resume_choice" not in {s.key for s in bob.sidebar.selectbox}, "alice's is hidden"
    assert "Start interview" in bob.info[0].value
    bob.switch_page("views/progress.py").run()
    assert "No interviews yet" in bob.info[0].value and not charts(bob)

    interviews(app_db, kb, embedded_grader, (5,), profile="alice")
    again = open_app()
    again.button(key="pick_alice").click().run()
    assert again.sidebar.selectbox(key="resume_choice").options, "alice's unfinished interview"
    again.switch_page("views/progress.py").run()
    assert again.metric[0].value == "2"  # alice's two interviews; bob's none

    again.button(key="switch_learner").click().run()
    assert again.title[0].value == "Who is practising?"
    assert {b.key for b in again.button if b.key} >= {"pick_alice", "pick_bob"}


def test_cohort_picker_only_asks_a_name(app_db, monkeypatch):
    from tutor.storage.store import Store

    Store(app_db, "alice").create_profile("alice")
    monkeypatch.setenv("TUTOR_PROFILE_PICKER", "prompt")
    at = open_app()
    assert not [b for b in at.button if b.key and b.key.startswith("pick_")]
    assert "alice" not in markdown(at)
    at.text_input(key="learner_name").set_value("../etc/passwd")
    submit(at, "Start practising")
    assert "letters, digits" in at.error[0].value
    at.text_input(key="learner_name").set_value("  Dana  Scully ")
    submit(at, "Start practising")
    assert at.query_params["profile"] == "Dana Scully"
    assert "Start interview" in at.info[0].value


def test_profile_in_the_url_is_kept(app_db):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["profile"] = "erin"
    at.run()
    assert not at.exception and "erin" in at.sidebar.markdown[0].value
