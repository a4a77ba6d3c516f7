"""The progress charts, as explicit Vega-Lite specs: scores on their 0-5 scale, dates as dates.

Streamlit's quick charts pick their own scales (a 1.0/5 mean drawn as a full bar on a 0-1 axis,
one interview as an empty line): these specs fix the scale, so a weak result looks weak.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
import streamlit as st

SCORE_SCALE = {"domain": [0, 5], "nice": False, "zero": True}
SCORE_AXIS = {"title": "mean score (0-5)", "values": [0, 1, 2, 3, 4, 5], "grid": True}
LABELLED_POINTS = 12  # up to this many interviews, each point shows its value


def score_spec(started: list[datetime]) -> dict[str, Any]:
    """Mean score per interview over time: line and points, each labelled while they are few.

    One interview gets a day either side, so it is a visible point on a dated axis."""
    first, last = min(started), max(started)
    if first == last:
        first, last = first - timedelta(days=1), last + timedelta(days=1)
    days = (last - first).days
    # one tick per day (or every few days) over a short history, else Vega's choice of dates
    ticks: Any = ({"interval": "day", "step": max(1, days // 7)} if days <= 42 else 8)
    x: dict[str, Any] = {"field": "started", "type": "temporal", "title": "date",
                         "axis": {"format": "%d %b", "labelAngle": 0, "tickCount": ticks}}
    if len(started) == 1:
        x["scale"] = {"domain": [first.isoformat(), last.isoformat()], "nice": "day"}
    y = {"field": "score", "type": "quantitative", "scale": SCORE_SCALE, "axis": SCORE_AXIS}
    tooltip = [{"field": "started", "type": "temporal", "title": "started",
                "format": "%d %b %Y %H:%M"},
               {"field": "score", "type": "quantitative", "format": ".1f"},
               {"field": "questions", "type": "quantitative"}]
    layers: list[dict[str, Any]] = [
        {"mark": {"type": "line",
                  "point": {"size": 80 if len(started) <= 30 else 25, "filled": True}},
         "encoding": {"x": x, "y": y, "tooltip": tooltip}},
    ]
    if len(started) <= LABELLED_POINTS:
        layers.append({"mark": {"type": "text", "dy": -12, "fontWeight": "bold"},
                       "encoding": {"x": x, "y": y, "text": {"field": "score", "type":
                                                             "quantitative", "format": ".1f"}}})
    return {"layer": layers, "height": 260}


def topic_spec() -> dict[str, Any]:
    """Mean score per topic as horizontal bars on the whole 0-5 scale, value at each bar's end."""
    x = {"field": "score", "type": "quantitative", "scale": SCORE_SCALE, "axis": SCORE_AXIS}
    y = {"field": "topic", "type": "nominal", "sort": None, "title": None,
         "axis": {"labelLimit": 260}}
    return {
        "layer": [
            {"mark": {"type": "bar", "cornerRadiusEnd": 3},
             "encoding": {"x": x, "y": y, "tooltip": [
                 {"field": "topic", "type": "nominal"},
                 {"field": "score", "type": "quantitative", "format": ".1f"}]}},
            {"mark": {"type": "text", "align": "left", "dx": 4},
             "encoding": {"x": x, "y": y, "text": {"field": "score", "type": "quantitative",
                                                   "format": ".1f"}}},
        ],
        "height": {"step": 30},  # Streamlit keeps its own chart height otherwise
    }


def calendar_spec(peak: int) -> dict[str, Any]:
    """Cards due per day over the coming days (overdue ones count today)."""
    return {
        "mark": {"type": "bar", "cornerRadiusEnd": 3},
        "encoding": {
            "x": {"field": "day", "type": "ordinal", "sort": None, "title": None,
                  "axis": {"labelAngle": 0}},
            "y": {"field": "cards", "type": "quantitative", "title": "cards due",
                  "scale": {"domain": [0, max(peak, 1)]},
                  "axis": {"tickMinStep": 1, "format": "d"}},
            "tooltip": [{"field": "day", "type": "ordinal"},
                        {"field": "cards", "type": "quantitative"}],
        },
        "height": 180,
    }


def score_chart(started: list[datetime], scores: list[float], questions: list[int]) -> None:
    data = pd.DataFrame({"started": [t.isoformat() for t in started],
                         "score": [round(s, 2) for s in scores], "questions": questions})
    st.vega_lite_chart(data, score_spec(started), width="stretch")


def topic_chart(scores: dict[str, float]) -> None:
    """Mean score (0-5) per topic, one bar per topic, in the given order."""
    data = pd.DataFrame({"topic": list(scores), "score": [round(v, 2) for v in scores.values()]})
    st.vega_lite_chart(data, topic_spec(), width="stretch")


def calendar_chart(days: list[tuple[date, int]], today: date) -> None:
    labels = ["today" if d == today else "tomorrow" if d == today + timedelta(days=1)
              else f"{d:%a %d}" for d, _ in days]
    data = pd.DataFrame({"day": labels, "cards": [n for _, n in days]})
    st.vega_lite_chart(data, calendar_spec(max((n for _, n in days), default=0)),
                       width="stretch")
