"""Search and interviews limited to one guide of several in the index."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor.cli.main import cli
from tutor.core.errors import InputError
from tutor.core.settings import Settings
from tutor.index.build import ingest_paths
from tutor.index.knowledge import KnowledgeBase
from tutor.interview.planning import InterviewConfig, eligible_cards

GUIDES = Path(__file__).parent / "data" / "guides"


@pytest.fixture(scope="module")
def two_guides(tmp_path_factory) -> Settings:
    settings = Settings(data_dir=tmp_path_factory.mktemp("two-guides"))
    ingest_paths([GUIDES / "qa_plain.txt", GUIDES / "scenarios.md"], settings)
    return settings


def test_search_can_be_limited_to_one_guide(two_guides):
    env = {"TUTOR_DATA_DIR": str(two_guides.data_dir)}
    result = CliRunner().invoke(cli, ["search", "embedding vectors", "--k", "3", "--guide",
                                      "scenarios", "--json"], env=env)
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)["hits"]
    assert hits
    kb = KnowledgeBase.load(two_guides.index_dir)
    assert all(kb.card(h["card_id"]).from_guide("scenarios.md") for h in hits)
    missing = CliRunner().invoke(cli, ["search", "x", "--guide", "nope"], env=env)
    assert missing.exit_code == 1 and "No guide 'nope'" in missing.stderr


def test_interview_plan_can_be_limited_to_one_guide(two_guides):
    kb = KnowledgeBase.load(two_guides.index_dir)
    cards = eligible_cards(kb, InterviewConfig(guides=["qa_plain"]))
    assert cards and all(c.from_guide("qa_plain.txt") for c in cards)
    assert len(cards) < len([c for c in kb.cards if c.key_points and not c.no_reference])
    with pytest.raises(InputError, match="the index holds: qa_plain.txt, scenarios.md"):
        eligible_cards(kb, InterviewConfig(guides=["nope"]))
