"""Mock interviews through the library API: plan, grade, follow up, persist, resume, report."""

import pytest

from tutor.core.errors import InputError
from tutor.index.knowledge import KnowledgeBase
from tutor.interview.planning import InterviewConfig, list_topics, plan_questions
from tutor.interview.report import build_report, format_report
from tutor.interview.session import InterviewSession
from tutor.storage.store import Store


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "tutor.db") as s:
        yield s


def test_plan_is_reproducible_filtered_and_mixed(kb: KnowledgeBase):
    config = InterviewConfig(questions=8, seed=7)
    a = plan_questions(kb, config, [], [], set())
    assert a == plan_questions(kb, config, [], [], set())
    assert len(a) == len(set(a)) == 8
    kinds = [kb.card(c).kind for c in a]
    assert kinds.count("scenario") == 2
    rag = plan_questions(kb, InterviewConfig(questions=3, topics=["RAG"], seed=1), [], [], set())
    assert all(kb.card(c).topic == "RAG & vector search" for c in rag)
    due_first = plan_questions(kb, InterviewConfig(questions=3, seed=1),
                               ["what-is-lora-and-qlora"], [], set())
    assert due_first[0] == "what-is-lora-and-qlora"
    assert "Scenarios" in list_topics(kb)
    with pytest.raises(InputError, match="choose from"):
        plan_questions(kb, InterviewConfig(topics=["cooking"]), [], [], set())


def test_full_interview_with_follow_up_and_report(store, kb, embedded_grader):
    config = InterviewConfig(questions=3, seed=3, mix="concept")
    session = InterviewSession.start(store, kb, embedded_grader, config)
    first = session.current()
    assert first.kind == "main" and first.number == 1 and first.total == 3
    weak = session.answer("It is about models and data.")
    assert weak.grade.score < 4
    follow = weak.next_prompt
    assert follow.kind == "follow_up" and follow.card.id == first.card.id
    assert follow.text == weak.grade.follow_up
    outcome = session.answer(" ".join(kp.text for kp in follow.card.key_points[:3]))
    assert outcome.next_prompt.kind == "main" and outcome.next_prompt.number == 2
    assert outcome.grade.follow_up != follow.text  # never shown again as the next question
    hint = session.hint()
    assert "points" in hint
    session.skip()
    third = session.current()
    body = session.show_answer()
    assert body == third.card.body
    assert session.finished and session.current() is None
    turns = store.turns(session.id)
    assert [t.kind for t in turns] == ["main", "follow_up", "main", "main"]
    assert store.get_session(session.id).status == "finished"
    report = build_report(store, kb, session.id)
    assert report.answered == 1
    assert report.study_plan and all(item.reread for item in report.study_plan)
    text = format_report(report)
    assert "Study plan" in text and "By topic" in text
    assert store.review_state(first.card.id) is not None


def test_resume_continues_where_it_stopped(store, kb, embedded_grader):
    session = InterviewSession.start(store, kb, embedded_grader,
                                     InterviewConfig(questions=3, seed=5))
    first = session.current()
    session.answer(first.card.body)  # a strong answer: no follow-up
    second = session.current()
    resumed = InterviewSession.resume(store, kb, embedded_grader)
    assert resumed.id == session.id
    assert resumed.current().card.id == second.card.id
    weak = resumed.answer("not sure, something about data")
    if weak.next_prompt and weak.next_prompt.kind == "follow_up":
        again = InterviewSession.resume(store, kb, embedded_grader, session.id)
        assert again.current().kind == "follow_up"
        assert again.current().text == weak.next_prompt.text


def test_resume_without_session_is_a_clear_error(store, kb, embedded_grader):
    with pytest.raises(InputError, match="tutor interview"):
        InterviewSession.resume(store, kb, embedded_grader)


@pytest.mark.llm
def test_interview_turn_through_the_local_llm_server(llm_server, store, kb, embedded_grader,
                                                     tmp_path):
    """The LLM path end to end: the tiny model's verdicts (or a visible fallback) are stored."""
    from tutor.core.settings import Settings
    from tutor.grading.llm_grader import LLMGrader
    from tutor.llm.client import OpenAIChatModel

    settings = Settings(data_dir=tmp_path, llm_base_url=llm_server.base_url,
                        llm_model=llm_server.model, llm_timeout=120, llm_max_tokens=700)
    grader = LLMGrader(OpenAIChatModel(settings), embedded_grader)
    session = InterviewSession.start(store, kb, grader, InterviewConfig(
        questions=1, topics=["RAG"], seed=4))
    outcome = session.answer("It stores embeddings and searches them by similarity.")
    stored = store.turns(session.id)[0]
    assert stored.grade.grader == outcome.grade.grader
    assert outcome.grade.grader.startswith("llm:") or any(
        "graded offline" in w for w in outcome.grade.warnings)
    assert 0 <= stored.score <= 5


def test_quotes_are_cut_at_word_boundaries():
    from tutor.ui.markup import shorten

    from tutor.interview.report import shorten_quote

    quote = "Attention lets the model weigh every token, which gives contextual understanding."
    for limit in range(12, len(quote)):
        for cut in (shorten_quote(quote, limit), shorten(quote, limit)):
            kept = cut.rstrip("…").rstrip()
            assert len(cut) <= limit and quote.startswith(kept)
            assert quote[len(kept)] in " ,", f"cut mid-word: {cut!r}"
    assert shorten_quote(quote, 200) == shorten(quote, 200) == quote


def test_report_names_the_learner_and_next_reviews_in_plain_words(store, kb, embedded_grader):
    session = InterviewSession.start(store, kb, embedded_grader,
                                     InterviewConfig(questions=2, seed=9, mix="concept"))
    session.skip()
    session.answer(session.current().card.body)
    report = build_report(store, kb, session.id)
    assert report.profile == "default"
    assert {r["when"] for r in report.next_reviews} <= {"now", "later today", "tomorrow"} | {
        f"in {n} days" for n in range(2, 14)}
    # the skipped question comes back within hours: "tomorrow" when run just before midnight
    assert report.study_plan[0].next_review_in in ("now", "later today", "tomorrow")
    text = format_report(report)
    assert "Interview report — default" in text and "spaced by how well you knew" in text
    other = store.for_profile("someone-else")
    with pytest.raises(InputError, match="profile 'someone-else'"):
        build_report(other, kb, session.id)


def test_a_follow_up_on_a_wrong_claim_is_not_asked_again_after_it(store, kb, embedded_grader):
    """The probe inside "Let's revisit one claim. … {question}" counts as asked: the grade of the
    answer to it never offers that question again."""
    card = "what-are-the-differences-between-gans-and-vaes"
    session_id = store.create_session({"questions": 1, "grader": embedded_grader.name}, [card])
    session = InterviewSession(store, kb, embedded_grader, session_id, [card], [])
    swapped = session.answer("VAEs are the adversarial ones, with two networks fighting each "
                             "other, while GANs use an encoder and KL divergence.")
    assert swapped.grade.incorrect
    follow = swapped.next_prompt
    assert follow.kind == "follow_up" and follow.text.startswith("Let's revisit one claim.")
    outcome = session.answer("I am not sure.")
    assert outcome.grade.follow_up is None or outcome.grade.follow_up not in follow.text
