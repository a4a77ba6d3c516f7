"""The one settings object, read from TUTOR_* environment variables at the entry points."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DATA = Path(str(resources.files("tutor.data")))  # the bundled guide, rubrics, golden sets
BUNDLED_GUIDE = PACKAGE_DATA / "genai_interview_guide.txt"
DEFAULT_PROFILE = "default"
PROFILE_NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}"  # a learner's name, e.g. "alice"


def default_data_dir() -> Path:
    """Per-user data directory (XDG on Linux)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tutor"


class Settings(BaseSettings):
    """All configuration of the tutor. Every path derives from `data_dir`."""

    model_config = SettingsConfigDict(
        env_prefix="TUTOR_", frozen=True, extra="forbid", populate_by_name=True
    )

    data_dir: Path = Field(default_factory=default_data_dir)
    guide_path: Path = BUNDLED_GUIDE
    db_path: Path | None = None
    db_url: str | None = Field(
        default=None, description="postgresql://user:pass@host/db for a shared store; "
        "default: SQLite at db_path (data_dir/tutor.db)")
    profile: str = Field(default=DEFAULT_PROFILE, pattern=f"^{PROFILE_NAME_PATTERN}$",
                         description="the learner whose sessions and reviews are used")
    profile_picker: Literal["list", "prompt"] = Field(
        default="list", description="app: list the profiles to pick from, or only ask a name "
        "(a cohort, where learners must not see each other's names)")
    cache_path: Path | None = Field(default=None,
                                    description="model caches; default data_dir/cache")

    chroma_url: str | None = Field(default=None, description="http://host:port of `chroma run`")
    fusion: Literal["rrf", "weighted"] = "rrf"
    rrf_k: int = Field(default=60, ge=1, le=1000)
    top_k: int = Field(default=5, ge=1, le=50)
    torch_threads: int = Field(default=1, ge=1, le=64)
    query_cache_size: int = Field(default=1024, ge=0, le=100_000)

    llm_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("TUTOR_LLM_BASE_URL", "OPENAI_BASE_URL")
    )
    llm_model: str | None = Field(
        default=None, validation_alias=AliasChoices("TUTOR_LLM_MODEL", "OPENAI_MODEL")
    )
    llm_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TUTOR_LLM_API_KEY", "OPENAI_API_KEY")
    )
    llm_timeout: float = Field(default=60.0, gt=0, le=600)
    llm_retries: int = Field(default=1, ge=0, le=5)
    llm_max_tokens: int = Field(default=1024, ge=64, le=8192)
    llm_temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    grader: Literal["auto", "embedded", "llm"] = "auto"

    strictness: float = Field(default=0.0, ge=-2.0, le=2.0, description="+ is harsher, - kinder")
    max_answer_chars: int = Field(default=8000, ge=200, le=200_000)

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def database(self) -> Path:
        return self.db_path or self.data_dir / "tutor.db"

    @property
    def cache_dir(self) -> Path:
        return self.cache_path or self.data_dir / "cache"

    @property
    def rubrics_dir(self) -> Path:
        """Rubric files a teacher imported (`tutor rubric import`); the grader reads *.yaml."""
        return self.data_dir / "rubrics"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url or self.llm_model)
