"""The example cohort deployment (deploy/compose.yaml) parses and is wired by configuration only:
every TUTOR_* variable is a valid setting, and the URLs point at the services it defines."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from tutor.core.settings import Settings
from tutor.storage.databases import PostgresDatabase, open_database

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "deploy" / "compose.yaml"
TUTOR_SERVICES = ("app", "ingest")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def interpolate(value: str) -> str:
    """Compose's ${VAR:-default}, with the defaults (what an unset environment gives)."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))


def env_of(compose: dict, service: str) -> dict[str, str]:
    return {k: interpolate(v) for k, v in compose["services"][service]["environment"].items()}


def test_services_and_their_references(compose):
    services = compose["services"]
    assert {"postgres", "chroma", "llm", "ingest", "app"} <= set(services)
    for name, service in services.items():
        for needed in service.get("depends_on", {}):
            assert needed in services, f"{name} depends on unknown {needed}"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source.startswith((".", "/")) or source in compose["volumes"], volume
    assert services["app"]["deploy"]["replicas"] >= 2, "many app instances share the services"
    assert "tutor ui --host 0.0.0.0" in " ".join(services["app"]["command"])
    assert " ".join(services["chroma"]["command"]).startswith("chroma run")
    assert services["postgres"]["healthcheck"]
    build = services["app"]["build"]
    assert (COMPOSE.parent / build["context"] / build["dockerfile"]).is_file()


@pytest.mark.parametrize("service", TUTOR_SERVICES)
def test_tutor_services_are_configured_by_valid_settings(compose, service, monkeypatch):
    env = env_of(compose, service)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings()  # extra="forbid": a misspelt TUTOR_* variable fails here
    fields = {f"TUTOR_{name.upper()}" for name in Settings.model_fields}
    assert {k for k in env if k.startswith("TUTOR_")} <= fields
    assert settings.profile_picker == "prompt"

    db = urlparse(settings.db_url)
    assert db.scheme == "postgresql" and db.hostname == "postgres"
    assert db.port == 5432 and db.path == "/" + compose["services"]["postgres"]["environment"][
        "POSTGRES_DB"]
    chroma = urlparse(settings.chroma_url)
    command = compose["services"]["chroma"]["command"]
    assert chroma.hostname == "chroma" and str(chroma.port) == command[command.index("--port") + 1]
    llm = urlparse(settings.llm_base_url)
    assert llm.hostname == "llm" and llm.path == "/v1" and settings.llm_model


def test_the_database_url_selects_the_postgres_backend(compose, monkeypatch):
    url = env_of(compose, "app")["TUTOR_DB_URL"]
    opened: list[str] = []
    monkeypatch.setattr(PostgresDatabase, "__init__",
                        lambda self, location, timeout=10.0: opened.append(location))
    assert isinstance(open_database(url), PostgresDatabase) and opened == [url]


def test_readme_documents_the_cohort_deployment():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Cohort deployment" in readme and "deploy/compose.yaml" in readme
    for setting in ("TUTOR_DB_URL", "TUTOR_CHROMA_URL", "TUTOR_LLM_BASE_URL", "TUTOR_PROFILE"):
        assert setting in readme
