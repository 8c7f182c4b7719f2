"""Scoring the bot on a test question set, and calibrating its confidence threshold.

A test set is JSON lines: `{"question": "...", "expected": "<faq id>"}`, or `"expected": null`
for a question the bot must send to the helpdesk. Metrics are computed from `Outcome`s, which
hold only the ranking and score the bot produced, so they can be checked on hand-made cases.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from faqbot.decision import Figures, Policy, ReplyKind, Scored, Verdict, verdict
from faqbot.decision.policy import middle_of_widest_run
from faqbot.errors import DataError, FaqbotError
from faqbot.faq.model import Faq, did_you_mean, normalize_question, read_text

SWEEP_STEPS = 101  # thresholds 0.00, 0.01, ..., 1.00


@dataclass(frozen=True)
class LabeledQuestion:
    question: str
    expected: str | None
    line: int


@dataclass(frozen=True)
class Outcome:
    """What the bot did with one test question."""

    question: str
    expected: str | None
    ranking: list[str]  # entry ids, best first (empty when the bot did not search, e.g. "Hej!")
    score: float  # confidence of the top entry
    seconds: float = 0.0
    scores: list[float] = field(default_factory=list)  # per ranked entry; empty: only `score` is known
    vague: bool = False  # the question names no subject of its own (faqbot.bot.is_vague): never answered
    set_aside: bool = False  # nearer a question staff marked as off-topic than its best entry: the helpdesk

    def decision(self, threshold: float | Policy) -> str | None:
        """The entry the bot answers with under this policy (or threshold), or None when it does not answer."""
        policy = threshold if isinstance(threshold, Policy) else Policy(threshold)
        return policy.decide(self.ranked(), self.vague, self.set_aside).faq_id

    def verdict(self, policy: Policy) -> Verdict:
        """Which of the four figures this question counts in under `policy` (faqbot.decision.verdict)."""
        return verdict(policy.decide(self.ranked(), self.vague, self.set_aside), self.expected)

    def helpdesk_suggests_right(self, policy: Policy) -> bool:
        """Sent to the helpdesk under `policy`, with the expected entry among the suggestions beside it."""
        decision = policy.decide(self.ranked(), self.vague, self.set_aside)
        return decision.kind is ReplyKind.HELPDESK and any(m.faq_id == self.expected for m in decision.suggestions)

    def ranked(self) -> list[Scored]:
        rest = self.scores[1:] if self.scores else [0.0] * max(len(self.ranking) - 1, 0)
        return [Scored(faq_id, score) for faq_id, score in zip(self.ranking, [self.score, *rest], strict=False)]


@dataclass
class Report:
    threshold: float
    questions: int
    answerable: int
    unanswerable: int
    top1_accuracy: float
    mrr: float
    recall_at_3: float
    unanswerable_to_helpdesk: float
    overall_accuracy: float
    per_entry: dict[str, dict[str, float]]
    failures: list[dict]
    latency_ms: dict[str, float]
    sweep: list[dict[str, float]]
    best_threshold: float | None  # None: the test set has no off-topic questions to set it with
    best_overall_accuracy: float
    overlaps: list[str] = field(default_factory=list)
    # The bot's whole decision (threshold and choices): the four figures, as shares.
    policy: dict[str, float | None] = field(default_factory=dict)
    answered_right: float = 0.0
    one_click: float = 0.0  # the right entry among the choices offered
    right_or_one_click: float = 0.0
    # Sent to the helpdesk, with the right entry among the ones suggested beside the address (a
    # click away for the customer too, but not counted as one: the bot said it could not answer).
    helpdesk_right_suggested: float = 0.0
    confident_wrong: float = 0.0  # answered with another entry
    offtopic_to_helpdesk: float | None = None  # None: no off-topic questions in the test set
    offtopic_choices: float | None = None  # off-topic questions offered choices instead

    def to_dict(self) -> dict:
        return asdict(self)


MAX_PROBLEMS = 20  # a test set's problems reported line by line; the rest are counted


def load_test_set(path: str | Path, faq: Faq, gone: list[tuple[int, str]] | None = None) -> list[LabeledQuestion]:
    """Read and check a test set; each problem is reported as `path:LINE: ...`, the first
    MAX_PROBLEMS of them (a 2 MB file of a million bad lines was a million problems, kept twice
    by the console and shown on one 200 MB page).

    `gone`: when given, a line whose expected entry is not in the FAQ (restored away, or its id
    mistyped) is not a problem when it is the only kind: it is left out of the questions and
    added here as (line, why), every one of them, for the caller to say so (`reported`). The console runs the rest; `faqbot
    evaluate` refuses the file."""
    path = Path(path)
    if not path.exists():
        raise FaqbotError(
            f"no test set at {path}: write one question a line, "
            '{"question": "Kan jag ringa er?", "expected": "an FAQ id"} (or "expected": null for a question '
            "the FAQ does not answer); the staff console's Utvärdering page adds the questions customers confirmed"
        )
    problems: list[tuple[int, str]] = []
    no_entry: list[tuple[int, str]] = []  # lines whose expected entry is not in the FAQ
    questions: list[LabeledQuestion] = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as err:
            problems.append((number, f"not valid JSON ({err.args[0].split(':')[0]})"))
            continue
        if not isinstance(row, dict):
            problems.append((number, 'each line must be an object like {"question": "...", "expected": "id"}'))
            continue
        unknown = set(row) - {"question", "expected"}
        if unknown:
            problems.append((number, f"unknown key(s) {', '.join(sorted(unknown))} (expected question, expected)"))
        question, expected = row.get("question"), row.get("expected", "missing")
        if not isinstance(question, str) or not question.strip():
            problems.append((number, "'question' must be non-empty text"))
            continue
        if expected == "missing":
            problems.append((number, "'expected' is missing (an FAQ id, or null for the helpdesk)"))
        elif expected is not None and not isinstance(expected, str):
            problems.append((number, "'expected' must be an FAQ id or null"))
        elif expected is not None and expected not in faq.by_id:
            no_entry.append((number, unknown_expected(expected, faq)))
        else:
            questions.append(LabeledQuestion(question, expected, number))
    if gone is not None and questions and not problems:
        gone.extend(no_entry)
    else:
        problems = sorted([*problems, *no_entry])
    if not questions and not problems:
        problems.append((1, "the test set is empty"))
    if problems:
        raise DataError(path, reported(problems))
    return questions


def reported(problems: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The first MAX_PROBLEMS (line, why), and one more line that counts the rest."""
    more = len(problems) - MAX_PROBLEMS
    if more <= 0:
        return problems
    return [*problems[:MAX_PROBLEMS], (problems[MAX_PROBLEMS][0], f"and {more} more line(s) with problems")]


def unknown_expected(expected: str, faq: Faq) -> str:
    """Why an `expected` id is refused: the closest ids when it looks like a typo, and how a
    question for the helpdesk is written (a company's own "helpdesk" entry is no such thing)."""
    said = f"expected id '{expected}' is not in the FAQ {faq.path}{did_you_mean(expected, faq.by_id)}"
    return said + '; a question the FAQ does not answer (for the helpdesk) has "expected": null'


def find_overlaps(questions: list[LabeledQuestion], faq: Faq) -> list[str]:
    """Test questions that are (up to case and punctuation) a question or alternative in the FAQ."""
    indexed = faq.question_keys()
    return [q.question for q in questions if normalize_question(q.question) in indexed]


def run(bot, questions: list[LabeledQuestion], progress: Callable[[int, int], None] | None = None) -> list[Outcome]:
    """Ask the bot every question, as a customer would, and keep its ranking and score;
    `progress(done, total)` is called after each question (the staff console shows it)."""
    outcomes = []
    for q in questions:
        started = time.perf_counter()
        reply = bot.ask(q.question)
        seconds = time.perf_counter() - started
        outcomes.append(
            Outcome(
                q.question,
                q.expected,
                list(reply.ranking),
                reply.score,
                seconds,
                list(reply.ranking_scores),
                reply.vague,
                reply.set_aside,
            )
        )
        if progress is not None:
            progress(len(outcomes), len(questions))
    return outcomes


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


def sweep(outcomes: list[Outcome]) -> list[dict[str, float]]:
    """For each threshold: accuracy of the answers given, share of unanswerables caught, overall."""
    rows = []
    unanswerable = [o for o in outcomes if o.expected is None]
    for step in range(SWEEP_STEPS):
        threshold = step / (SWEEP_STEPS - 1)
        answered = [o for o in outcomes if o.decision(threshold) is not None]
        right = sum(o.decision(threshold) == o.expected for o in answered)
        caught = sum(o.decision(threshold) is None for o in unanswerable)
        overall = sum(o.decision(threshold) == o.expected for o in outcomes)
        rows.append(
            {
                "threshold": round(threshold, 2),
                "answered_accuracy": right / len(answered) if answered else 1.0,
                "unanswerable_caught": caught / len(unanswerable) if unanswerable else 1.0,
                "overall_accuracy": overall / len(outcomes) if outcomes else 0.0,
            }
        )
    return rows


def best_threshold(rows: list[dict[str, float]]) -> float:
    """The middle of the widest run of thresholds with the best overall accuracy: robust to noise."""
    best = max(r["overall_accuracy"] for r in rows)
    tied = [r["threshold"] for r in rows if r["overall_accuracy"] == best]
    return middle_of_widest_run(tied, 1 / (SWEEP_STEPS - 1))


def decision_figures(outcomes: list[Outcome], policy: Policy) -> dict:
    """The four figures under the bot's whole policy (threshold and choices)."""
    figures = Figures.of(o.verdict(policy) for o in outcomes)
    answerable = [o for o in outcomes if o.expected is not None]
    suggested = sum(o.helpdesk_suggests_right(policy) for o in answerable)
    return {
        "policy": policy.to_dict(),
        "answered_right": figures.answered_right,
        "one_click": figures.one_click_share,
        "right_or_one_click": figures.right_or_one_click,
        "helpdesk_right_suggested": suggested / len(answerable) if answerable else 0.0,
        "confident_wrong": figures.confident_wrong,
        "offtopic_to_helpdesk": figures.offtopic_to_helpdesk,
        "offtopic_choices": figures.offtopic_offered_choices,
    }


def reply_of(outcome: Outcome, policy: Policy) -> dict[str, Any]:
    """What the bot's whole decision gives the question: its kind and the entries offered (the
    choices, or those suggested beside an answer or the helpdesk address)."""
    decision = policy.decide(outcome.ranked(), outcome.vague, outcome.set_aside)
    return {"reply": decision.kind.value, "offered": [m.faq_id for m in decision.suggestions]}


def score(
    outcomes: list[Outcome], threshold: float, overlaps: list[str] | None = None, policy: Policy | None = None
) -> Report:
    """All metrics for a list of outcomes at a threshold; the four figures under `policy`
    (default: the threshold alone, no choices)."""
    answerable = [o for o in outcomes if o.expected is not None]
    unanswerable = [o for o in outcomes if o.expected is None]

    def rank_of(o: Outcome) -> int | None:
        return o.ranking.index(o.expected) + 1 if o.expected in o.ranking else None

    ranks = [rank_of(o) for o in answerable]
    per_entry: dict[str, dict[str, float]] = {}
    for o in answerable:
        stats = per_entry.setdefault(str(o.expected), {"questions": 0, "correct": 0})
        stats["questions"] += 1
        stats["correct"] += o.decision(threshold) == o.expected
    for stats in per_entry.values():
        stats["accuracy"] = stats["correct"] / stats["questions"]
    deciding = policy or Policy(threshold)
    failures = [
        {
            "question": o.question,
            "expected": o.expected,
            "got": o.decision(threshold),
            "top": o.ranking[0] if o.ranking else None,
            "score": round(o.score, 4),
            **reply_of(o, deciding),
        }
        for o in outcomes
        if o.decision(threshold) != o.expected
    ]
    rows = sweep(outcomes)
    # Without off-topic questions the best threshold is simply the lowest: it says nothing.
    best = best_threshold(rows) if unanswerable else None
    latencies = [o.seconds * 1000 for o in outcomes]

    def share(count: float, total: int) -> float:
        return count / total if total else 0.0

    return Report(
        threshold=threshold,
        questions=len(outcomes),
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        top1_accuracy=share(sum(r == 1 for r in ranks), len(answerable)),
        mrr=share(sum(1 / r for r in ranks if r), len(answerable)) if answerable else 0.0,
        recall_at_3=share(sum(r is not None and r <= 3 for r in ranks), len(answerable)),
        unanswerable_to_helpdesk=share(sum(o.decision(threshold) is None for o in unanswerable), len(unanswerable)),
        overall_accuracy=share(sum(o.decision(threshold) == o.expected for o in outcomes), len(outcomes)),
        per_entry=dict(sorted(per_entry.items())),
        failures=failures,
        latency_ms={"median": statistics.median(latencies) if latencies else 0.0, "p95": percentile(latencies, 0.95)},
        sweep=rows,
        best_threshold=best,
        best_overall_accuracy=max(r["overall_accuracy"] for r in rows),
        overlaps=overlaps or [],
        **decision_figures(outcomes, policy or Policy(threshold)),
    )


def format_report(report: Report, path: str) -> str:
    """The report for people."""
    lines = [
        f"{path}: {report.questions} questions ({report.answerable} answerable, {report.unanswerable} for the helpdesk)"
    ]
    if report.overlaps:
        lines.append(f"WARNING: {len(report.overlaps)} test question(s) are also in the FAQ, so they measure nothing:")
        lines += [f"  - {q}" for q in report.overlaps[:10]]
    lines += [
        f"threshold                  {report.threshold:.2f}",
        *policy_lines(report),
        f"top-1 accuracy             {report.top1_accuracy:.3f}   (answerable questions, ignoring the threshold)",
        f"MRR                        {report.mrr:.3f}",
        f"recall@3                   {report.recall_at_3:.3f}",
        f"unanswerable -> helpdesk   {report.unanswerable_to_helpdesk:.3f}"
        if report.unanswerable
        else "unanswerable -> helpdesk   n/a (no off-topic questions)",
        f"overall decision accuracy  {report.overall_accuracy:.3f}   (right answer, or helpdesk when expected)",
        f"latency per question       median {report.latency_ms['median']:.1f} ms, p95 {report.latency_ms['p95']:.1f} ms",
        best_line(report),
        "",
        "per entry (final decision right / questions):",
    ]
    lines += [
        f"  {eid:<20} {s['correct']:>3.0f}/{s['questions']:<3.0f} {s['accuracy']:.2f}"
        for eid, s in report.per_entry.items()
    ]
    lines += ["", "threshold sweep (answered accuracy / unanswerable caught / overall):"]
    marked = {round(report.threshold, 2), report.best_threshold}
    for row in report.sweep:
        if round(row["threshold"] * 100) % 5 and row["threshold"] not in marked:
            continue
        marks = " <- config" if row["threshold"] == round(report.threshold, 2) else ""
        marks += " <- best" if row["threshold"] == report.best_threshold else ""
        lines.append(
            f"  {row['threshold']:.2f}  {row['answered_accuracy']:.3f}  {row['unanswerable_caught']:.3f}  {row['overall_accuracy']:.3f}{marks}"
        )
    lines += ["", f"failures at threshold {report.threshold:.2f} ({len(report.failures)}):"]
    lines += [
        f"  expected {str(f['expected']):<17} got {str(f['got']):<17} score {f['score']:.2f}  {f['question']}{offered(f)}"
        for f in report.failures
    ]
    return "\n".join(lines)


def offered(failure: dict) -> str:
    """After a failure's line: what the bot's whole decision does with it, when it is not an answer
    ("got" is the threshold's decision alone): the choices offered, the right one marked."""
    if failure.get("reply") in (None, ReplyKind.ANSWER.value):
        return ""
    ids = [f"{i} (right)" if i == failure["expected"] else i for i in failure.get("offered", [])]
    return f"  [{failure['reply']}{': ' + ', '.join(ids) if ids else ''}]"


def policy_lines(report: Report) -> list[str]:
    """The four figures under the bot's whole decision, threshold and choices."""
    margin, floor = report.policy.get("choice_margin"), report.policy.get("choice_floor")
    offtopic = report.offtopic_to_helpdesk
    choices = f"choices when the runner-up is within {margin:.2f}, from score {floor or 0:.2f}" if margin else ""
    return [
        f"decision                   {choices or 'no choices offered'}",
        f"answered right             {report.answered_right:.3f}",
        f"one click away             {report.one_click:.3f}   (the right entry among the choices offered)",
        f"right or one click         {report.right_or_one_click:.3f}",
        f"helpdesk, right suggested  {report.helpdesk_right_suggested:.3f}   "
        "(sent to the helpdesk, the right entry among the ones suggested beside it)",
        f"confident wrong answers    {report.confident_wrong:.3f}   (answered with another entry)",
        "off-topic to helpdesk      "
        + (
            f"{offtopic:.3f}   ({report.offtopic_choices:.3f} offered choices)"
            if offtopic is not None
            else "n/a (no off-topic questions)"
        ),
    ]


def best_line(report: Report) -> str:
    if report.best_threshold is None:
        return "best threshold             none: the test set has no off-topic questions (expected null) to set it with"
    best = f"{report.best_threshold:.2f}   (overall accuracy {report.best_overall_accuracy:.3f})"
    return f"best threshold             {best}"


def plot(report: Report, path: str | Path) -> None:
    """Accuracy of answers, unanswerables caught and overall accuracy against the threshold."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise FaqbotError(f"--plot needs matplotlib to draw {path}: pip install -e '.[eval]'") from None
    xs = [r["threshold"] for r in report.sweep]
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=120)
    ax.plot(xs, [r["answered_accuracy"] for r in report.sweep], label="accuracy of answers given")
    ax.plot(xs, [r["unanswerable_caught"] for r in report.sweep], label="unanswerable sent to helpdesk")
    ax.plot(xs, [r["overall_accuracy"] for r in report.sweep], label="overall decision accuracy", linewidth=2.5)
    ax.axvline(report.threshold, color="grey", linestyle="--", label=f"configured threshold {report.threshold:.2f}")
    if report.best_threshold is not None:
        ax.axvline(
            report.best_threshold, color="green", linestyle=":", label=f"best threshold {report.best_threshold:.2f}"
        )
    ax.set_xlabel("confidence threshold")
    ax.set_ylabel("share")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"faqbot threshold calibration ({report.questions} test questions)")
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
