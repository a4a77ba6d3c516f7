"""Prompt templates shipped as package data, rendered strictly (a missing variable fails)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from string import Template


@cache
def template(name: str) -> Template:
    return Template(resources.files("tutor").joinpath(f"prompts/{name}.txt").read_text("utf-8"))


def render(name: str, **values: object) -> str:
    """Render a template; raises KeyError when a placeholder has no value."""
    return template(name).substitute(**{k: str(v) for k, v in values.items()})
