"""The bundled guide, its curated rubrics and the team's golden sets (package data)."""
