"""Rubric files (YAML): the curated rubric shipped for the bundled guide, and teachers' edits.

One file holds the rubrics of one guide: for each card (by its heading) the points an
interviewer expects, each with a weight, whether it is essential, the verbatim guide passage it
rests on, its key terms with aliases, and a follow-up question.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tutor.core.errors import InputError
from tutor.core.text import normalise_ws


class PointSpec(BaseModel):
    """One rubric point as written in a rubric file."""

    model_config = ConfigDict(extra="forbid")

    statement: str = Field(min_length=3, max_length=400)
    quote: str = Field(min_length=3)
    essential: bool = True
    weight: float = Field(default=1.0, gt=0, le=5)
    terms: list[list[str]] = Field(default_factory=list)
    follow_up: str | None = None


class CardRubricSpec(BaseModel):
    """The rubric of one card, found by the card's heading."""

    model_config = ConfigDict(extra="forbid")

    section: str
    points: list[PointSpec] = Field(min_length=1)


class RubricFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    guide: str | None = None
    cards: list[CardRubricSpec]


def heading_key(heading: str) -> str:
    return normalise_ws(heading).casefold().rstrip("?.: ")


class RubricBook:
    """Rubric specs by card heading; later files override earlier ones card by card."""

    def __init__(self, specs: Iterable[CardRubricSpec] = ()) -> None:
        self._specs: dict[str, CardRubricSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: CardRubricSpec) -> None:
        self._specs[heading_key(spec.section)] = spec

    def get(self, heading: str) -> CardRubricSpec | None:
        return self._specs.get(heading_key(heading))

    def __len__(self) -> int:
        return len(self._specs)

    def specs(self) -> list[CardRubricSpec]:
        return list(self._specs.values())


def read_rubric_file(path: Path) -> RubricFile:
    """Parse and validate one YAML rubric file; errors name the file and the field."""
    import yaml

    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"Cannot read rubric file {path}: {exc}") from exc
    try:
        return RubricFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"Rubric file {path}: {where}: {first['msg']}") from exc


def write_rubric_file(path: Path, specs: list[CardRubricSpec], guide: str | None = None) -> None:
    """Write specs as YAML a teacher can edit (and `tutor rubric import` reads back)."""
    import yaml

    doc = RubricFile(guide=guide, cards=specs).model_dump(mode="json", exclude_none=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100),
                    encoding="utf-8")


def bundled_rubric_paths() -> list[Path]:
    """The curated rubric files shipped with the package (tutor.data/rubrics)."""
    folder = Path(str(resources.files("tutor.data").joinpath("rubrics")))
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def load_rubric_book(extra: Iterable[Path] = ()) -> RubricBook:
    """The bundled curated rubrics, then each file in `extra` (a teacher's imports) on top."""
    book = RubricBook()
    for path in [*bundled_rubric_paths(), *extra]:
        for spec in read_rubric_file(path).cards:
            book.add(spec)
    return book
