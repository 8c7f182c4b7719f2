"""The trend chart of `faqbot report --html`: inline SVG written here, no scripts, nothing fetched.

    svg = trend_svg(report.trend)     # questions per day (or week) as bars, shares as lines
    svg = trend_svg(periods, SWEDISH) # the staff console's overview: the same chart in Swedish

The upper panel has one bar per period (questions asked); the lower one a line per share of
those questions, 0-100 %: answered from the FAQ, sent to the helpdesk, offered choices, and
marked 👎. A period without questions has no bar and breaks no line (its shares are left out).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from faqbot.staff.trends import Period

WIDTH, LEFT, RIGHT = 760, 48, 12
BARS_TOP, BARS_HEIGHT = 28, 110
LINES_TOP, LINES_HEIGHT = 170, 120
HEIGHT = LINES_TOP + LINES_HEIGHT + 44
MAX_LABELS = 12  # x-axis labels; more periods get every n-th label

SERIES: list[tuple[str, str, Callable[[Period], int]]] = [
    ("answered from the FAQ", "#2e7d32", lambda p: p.answered),
    ("sent to the helpdesk", "#e65100", lambda p: p.helpdesk),
    ("offered choices", "#1565c0", lambda p: p.choices),
    ("thumbs down", "#c62828", lambda p: p.disliked),
]


@dataclass(frozen=True)
class Words:
    """The chart's text in one language; `series` names SERIES in order, `units` the periods."""

    per: str = "questions per {unit}"
    shares: str = "share of the questions"
    series: tuple[str, ...] = tuple(name for name, _, _ in SERIES)
    units: tuple[tuple[str, str], ...] = (("day", "day"), ("week", "week"))
    summary: str = (
        "Questions per {unit} from {first} to {last}, and the shares answered, sent to the helpdesk, "
        "offered choices and marked thumbs down; the same figures are in the table below."
    )
    empty: str = "No questions in this period."

    def unit(self, periods: list[Period]) -> str:
        return dict(self.units).get(periods[0].unit if periods else "day", "day")


ENGLISH = Words()
SWEDISH = Words(
    per="frågor per {unit}",
    shares="andel av frågorna",
    series=("besvarade från FAQ:n", "till helpdesk", "erbjöd val", "tumme ned"),
    units=(("day", "dag"), ("week", "vecka")),
    summary=(
        "Frågor per {unit} från {first} till {last}, och andelen besvarade, skickade till helpdesk, "
        "som fick val och som fick tumme ned."
    ),
    empty="Inga frågor under perioden.",
)


def _text(x: float, y: float, text: str, anchor: str = "middle", size: int = 11, color: str = "#444") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{color}">'
        f"{html.escape(text)}</text>"
    )


def _bars(periods: list[Period], slot: float, words: Words) -> list[str]:
    highest = max((p.questions for p in periods), default=0) or 1
    parts = [
        _text(LEFT - 6, BARS_TOP + 4, str(highest), "end"),
        _text(LEFT - 6, BARS_TOP + BARS_HEIGHT, "0", "end"),
        _text(LEFT, BARS_TOP - 10, words.per.format(unit=words.unit(periods)), "start", 12, "#222"),
    ]
    for i, p in enumerate(periods):
        height = BARS_HEIGHT * p.questions / highest
        x = LEFT + i * slot + slot * 0.15
        parts.append(
            f'<rect x="{x:.1f}" y="{BARS_TOP + BARS_HEIGHT - height:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{height:.1f}" fill="#90a4ae"><title>{html.escape(p.label)}: {p.questions}</title></rect>'
        )
    return parts


def _lines(periods: list[Period], slot: float, words: Words) -> list[str]:
    bottom = LINES_TOP + LINES_HEIGHT
    parts = [_text(LEFT, LINES_TOP - 10, words.shares, "start", 12, "#222")]
    for share in (0, 50, 100):
        y = bottom - LINES_HEIGHT * share / 100
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(_text(LEFT - 6, y + 4, f"{share} %", "end"))
    # the series drawn first are drawn wider, so that one with the same shares as a later one still
    # shows around it (a walk-through: "till helpdesk" at 45 % hid under "erbjöd val" at 45 %)
    for order, (name, (_, color, count)) in enumerate(zip(words.series, SERIES, strict=True)):
        wider = 1.5 * (len(SERIES) - 1 - order)
        points = [
            f"{LEFT + (i + 0.5) * slot:.1f},{bottom - LINES_HEIGHT * p.share(count(p)):.1f}"
            for i, p in enumerate(periods)
            if p.questions
        ]
        if len(points) == 1:
            cx, cy = points[0].split(",")
            parts.append(
                f'<circle cx="{cx}" cy="{cy}" r="{3 + wider}" fill="{color}"><title>{html.escape(name)}</title></circle>'
            )
        elif points:
            parts.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" stroke-width="{2 + wider}">'
                f"<title>{html.escape(name)}</title></polyline>"
            )
    return parts


def _axis(periods: list[Period], slot: float, words: Words) -> list[str]:
    every = max(1, -(-len(periods) // MAX_LABELS))
    y = LINES_TOP + LINES_HEIGHT + 16
    parts = [_text(LEFT + (i + 0.5) * slot, y, p.start[5:]) for i, p in enumerate(periods) if i % every == 0]
    x = LEFT
    for name, (_, color, _) in zip(words.series, SERIES, strict=True):
        parts.append(f'<rect x="{x}" y="{y + 12}" width="12" height="4" fill="{color}"/>')
        parts.append(_text(x + 16, y + 18, name, "start"))
        x += 34 + 7 * len(name)
    return parts


def trend_svg(periods: list[Period], words: Words = ENGLISH) -> str:
    """The chart as an <svg> element, or a short note when there is nothing to draw."""
    if not periods:
        return f"<p>{html.escape(words.empty)}</p>"
    slot = (WIDTH - LEFT - RIGHT) / len(periods)
    summary = words.summary.format(unit=words.unit(periods), first=periods[0].start, last=periods[-1].start)
    body = _bars(periods, slot, words) + _lines(periods, slot, words) + _axis(periods, slot, words)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="{html.escape(summary)}" font-family="system-ui, sans-serif">'
        + "".join(body)
        + "</svg>"
    )
