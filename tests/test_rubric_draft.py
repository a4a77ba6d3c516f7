"""`tutor rubric draft`: the LLM proposes, only points with verbatim guide quotes are kept."""

import pytest

from tests.fakes import ScriptedChatModel
from tutor.core.errors import LLMError
from tutor.core.settings import Settings
from tutor.grading.rubric_draft import draft_rubric
from tutor.grading.statements import chunk_quoting

CARD = "what-is-a-vector-database"


def proposal(quote: str) -> dict:
    return {"points": [
        {"statement": "Stores data as vectors (embeddings).", "quote": quote, "essential": True,
         "weight": 1.0, "terms": [["Embeddings", " vectors "]],
         "follow_up": "What does a vector database store?"},
        {"statement": "Always exact.", "quote": "Vector databases are always exact and free.",
         "essential": True, "weight": 1.0, "terms": [], "follow_up": "Why?"},
        {"statement": "", "quote": "x", "essential": True, "weight": 1.0, "terms": [],
         "follow_up": "?"},
    ]}


def test_only_points_with_verbatim_quotes_are_kept(kb):
    card = kb.card(CARD)
    quote = kb.chunks_of(card.id)[0].text.split(". ")[0]
    model = ScriptedChatModel([proposal(quote)])
    draft = draft_rubric(card, kb, model)
    assert draft.spec is not None and len(draft.spec.points) == 1
    kept = draft.spec.points[0]
    assert chunk_quoting(card, kb, kept.quote) is not None
    assert kept.terms == [["embeddings", "vectors"]]
    assert len(draft.dropped) == 2
    assert any("not verbatim" in d for d in draft.dropped)
    assert any("malformed" in d for d in draft.dropped)
    sent = model.prompts[0][1]["content"]
    assert card.question in sent and "<<<GUIDE-" in sent  # the guide goes in as marked data


def test_a_reply_without_json_is_an_llm_error(kb):
    with pytest.raises(LLMError):
        draft_rubric(kb.card(CARD), kb, ScriptedChatModel(["no json here"]))


@pytest.mark.llm
def test_real_local_server_draft_is_verified(llm_server, kb, tmp_path):
    """The tiny model drafts badly; whatever it keeps must quote the guide verbatim."""
    from tutor.llm.client import OpenAIChatModel

    settings = Settings(data_dir=tmp_path, llm_base_url=llm_server.base_url,
                        llm_model=llm_server.model, llm_timeout=120, llm_max_tokens=700)
    card = kb.card(CARD)
    try:
        draft = draft_rubric(card, kb, OpenAIChatModel(settings))
    except LLMError:  # a tiny model may not finish its JSON within the token budget
        return
    for point in draft.spec.points if draft.spec else []:
        assert chunk_quoting(card, kb, point.quote) is not None


def test_cli_draft_without_an_llm_is_one_line(indexed_settings):
    from click.testing import CliRunner

    from tutor.cli.main import cli

    result = CliRunner().invoke(cli, ["rubric", "draft", CARD],
                                env={"TUTOR_DATA_DIR": str(indexed_settings.data_dir)})
    assert result.exit_code == 1
    assert "needs an LLM" in result.stderr and len(result.stderr.strip().splitlines()) == 1
