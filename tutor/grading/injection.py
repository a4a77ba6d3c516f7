"""Spotting text addressed to the grader inside a candidate's answer.

Instructions to the grader, forged role messages, closing delimiters and verdict JSON are not
content: they are removed before grading (so they earn nothing) and reported as a warning.
"""

from __future__ import annotations

import re

_SCORE_WORDS = (r"(?:score|scored|grade|graded|grading|rubric|verdict|marks?|points?|rating|"
                r"evaluation)")
_PATTERNS = [
    re.compile(r"\b(?:ignore|disregard|forget|override)\b.{0,60}\b(?:instructions?|rubric|rules|"
               r"prompt|above|previous|grader|policy)\b", re.I),
    re.compile(rf"\b{_SCORE_WORDS}\b.{{0,40}}(?:\b[0-5](?:\.\d)?\s*(?:/|out of)\s*5\b|=\s*[0-5]\b|"
               r"\b(?:full|maximum|max|perfect|excellent|top)\b)", re.I),
    # "give it 5/5", "award full marks", "mark this as excellent"; not "assign a score to
    # each response" (how a reward model works)
    re.compile(rf"\b(?:give|award|assign|record|mark|deserves?|merits?|earns?|worth|gets?)\b.{{0,40}}"
               rf"(?:\b[0-5](?:\.\d)?\s*(?:/\s*5|out of 5|points?\b|marks?\b)|\bfull marks\b|"
               rf"\b(?:full|maximum|max|perfect|top|highest)\s+{_SCORE_WORDS}|"
               r"\bas (?:excellent|correct|complete|perfect)\b)", re.I),
    # anchored, so the lookahead runs once per piece, not once per position
    re.compile(r"^(?=.*?\b(?:answers?|responses?|score|grade|rate|rating|marks?|points|approved)\b)"
               r".*?\b[0-5](?:\.\d)?\s*(?:/\s*5|out of 5)\b", re.I),
    re.compile(r"\b(?:return|output|rate|grade|score)\b.{0,30}\b(?:full|maximum|max|perfect|top|"
               r"highest)\s+(?:score|grade|marks?|rating)\b", re.I),
    re.compile(r"\[\s*(?:system|admin|grader|reviewer|evaluator)\b", re.I),
    re.compile(r"\b(?:the|your|this) (?:rubric|marking scheme|grading policy)\b.{0,40}"
               r"\b(?:says|states|requires|allows|gives|awards|means)\b", re.I),
    re.compile(r"(?:^|\s)(?:system|assistant|user|grader|examiner|admin(?:istrator)?)\s*:", re.I),
    re.compile(r"<\|?/?\s*(?:im_start|im_end|system|assistant|user|answer|candidate_answer|"
               r"reference|rubric|inst|sys)[^>]*\|?>", re.I),
    re.compile(r"\[/?INST\]|<<\s*/?SYS\s*>>|###\s*(?:system|assistant|instruction)", re.I),
    re.compile(r"\{[^{}]*[\"']\s*(?:score|verdict|grade)\s*[\"']\s*:[^{}]*\}", re.I),
]
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def strip_injections(answer: str) -> tuple[str, int]:
    """The answer without grader-directed pieces, and how many pieces were removed. Its lines
    stay lines (a bullet list's items are separate statements); spaces within a line collapse."""
    lines: list[str] = []
    removed = 0
    for line in answer.split("\n"):
        kept: list[str] = []
        for piece in _SENTENCE_END.split(line):
            if not piece.strip():
                continue
            if any(p.search(piece) for p in _PATTERNS):
                removed += 1
                continue
            kept.append(piece.strip())
        cleaned = re.sub(r"`{3,}|\"{3,}|-{5,}\s*END\s*-{5,}", " ", " ".join(kept), flags=re.I)
        if cleaned.strip():
            lines.append(" ".join(cleaned.split()))
    return "\n".join(lines), removed


INJECTION_WARNING = ("{n} part(s) of the answer addressed the grader (instructions, role tags or "
                     "a verdict) and were ignored")
