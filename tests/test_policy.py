"""The decision rule: answer, choices or helpdesk; and choosing it on calibration samples."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest

from faqbot.decision import Policy, ReplyKind, Sample, Verdict, calibration, choose_policy, verdict
from faqbot.decision.calibration import COSTS, MARGINS, THRESHOLDS, _question_costs, figures
from faqbot.decision.policy import Scored as R

ANSWER, CHOICES, HELPDESK = ReplyKind.ANSWER, ReplyKind.CHOICES, ReplyKind.HELPDESK

POLICY = Policy(threshold=0.5, choice_margin=0.1, choice_floor=0.4)


def test_a_clear_best_entry_is_the_answer():
    decision = POLICY.decide([R("a", 0.8), R("b", 0.5), R("c", 0.2)])
    assert decision.kind == ANSWER and decision.faq_id == "a"


def test_two_close_entries_are_offered_as_choices_best_first():
    decision = POLICY.decide([R("a", 0.62), R("b", 0.57), R("c", 0.55), R("d", 0.3)])
    assert decision.kind == CHOICES and decision.faq_id is None
    assert [m.faq_id for m in decision.suggestions] == ["a", "b", "c"]


def test_choices_hold_only_the_entries_close_to_the_best():
    decision = POLICY.decide([R("a", 0.62), R("b", 0.57), R("c", 0.45)])
    assert [m.faq_id for m in decision.suggestions] == ["a", "b"]


def test_close_entries_below_the_floor_go_to_the_helpdesk():
    assert POLICY.decide([R("a", 0.35), R("b", 0.33)]).kind == HELPDESK


def test_a_weak_best_entry_goes_to_the_helpdesk_even_when_alone():
    assert POLICY.decide([R("a", 0.45), R("b", 0.1)]).kind == HELPDESK


def test_a_message_that_names_no_subject_is_never_answered_its_closest_entries_are_offered():
    ranked = [R("telefonsupport", 0.9), R("helpdesk", 0.4), R("support", 0.3), R("backup", 0.1)]
    decision = POLICY.decide(ranked, vague=True)
    assert decision.kind == CHOICES and decision.faq_id is None
    assert [m.faq_id for m in decision.suggestions] == ["telefonsupport", "helpdesk", "support"]
    assert POLICY.decide([R("a", 0.9), R("b", 0.1)], vague=True).kind == HELPDESK  # one close entry is no choice


def test_without_a_margin_the_policy_never_offers_choices():
    assert Policy(0.5).decide([R("a", 0.62), R("b", 0.61)]).kind == ANSWER


def samples(expected, top_right, best, gap, behind=None, count=1):
    """`count` questions whose top entry (the expected one when `top_right`) scores `best`, the
    runner-up `gap` below it; a wrong top entry has the expected one `behind` it, as runner-up."""
    second = expected if not top_right and behind == gap and expected else "runner-up"
    ranked = (R(expected if top_right and expected else "other", best), R(second, best - gap))
    return [Sample(expected, ranked)] * count


def test_choose_policy_prefers_choices_over_answers_that_would_be_wrong():
    # Right answers stand well clear of the runner-up; wrong ones are close to it (the right
    # entry second, 0.05 behind); off-topic questions score low.
    cal = (
        samples("a", True, 0.8, 0.4, count=40)
        + samples("b", False, 0.7, 0.05, behind=0.05, count=10)
        + samples(None, False, 0.2, 0.02, count=50)
    )
    chosen = choose_policy(cal)
    counts = figures(cal, chosen.policy()).counts()
    assert counts == {
        "right": 40,
        "one_click": 10,
        "wrong": 0,
        "missed": 0,
        "offtopic_helpdesk": 50,
        "offtopic_choices": 0,
        "offtopic_answered": 0,
    }
    assert chosen.counts == counts
    assert chosen.rates["confident_wrong"] == 0.0 and chosen.rates["offtopic_to_helpdesk"] == 1.0
    assert 0.05 < chosen.choice_margin <= 0.4
    assert 0.2 < chosen.threshold <= 0.7


def test_choose_policy_sets_the_threshold_between_off_topic_and_right_answers():
    cal = samples("a", True, 0.6, 0.3, count=30) + samples(None, False, 0.4, 0.3, count=30)
    chosen = choose_policy(cal)
    assert 0.4 < chosen.threshold <= 0.6
    assert chosen.rates == {
        "answered_right": 1.0,
        "one_click": 0.0,
        "confident_wrong": 0.0,
        "offtopic_to_helpdesk": 1.0,
    }
    # the middle of the run of equally good thresholds, not its edge
    assert chosen.threshold == pytest.approx(0.5, abs=0.02)


def test_choose_policy_needs_questions_from_the_faq():
    with pytest.raises(ValueError):
        choose_policy(samples(None, False, 0.2, 0.1, count=5))


def test_choose_policy_sends_nearly_all_of_the_off_topic_bank_to_the_helpdesk():
    # By cost alone 0.40 is cheaper (3 off-topic answered cost less than 5 questions missed);
    # real off-topic questions lie nearer the FAQ than the bank, so the bank must nearly all be caught.
    cal = (
        samples("a", True, 0.7, 0.3, count=45)
        + samples("a", True, 0.40, 0.3, count=5)
        + samples(None, False, 0.2, 0.3, count=97)
        + samples(None, False, 0.44, 0.3, count=3)
    )
    chosen = choose_policy(cal)
    assert chosen.threshold > 0.44
    assert chosen.rates["offtopic_to_helpdesk"] == 1.0
    assert "98%" in chosen.why


def test_choose_policy_never_answers_more_than_a_tenth_of_the_faqs_questions_wrong(monkeypatch):
    # 30 right and 15 wrong answers score alike (0.6), the right entry nowhere near the wrong
    # ones: by cost alone answering them all (15 x 2) beats sending them all to the helpdesk
    # (45 x 1), but it answers 15 of 105 questions (0.14) wrong.
    cal = (
        samples("a", True, 0.8, 0.4, count=60)
        + samples("b", True, 0.6, 0.3, count=30)
        + samples("c", False, 0.6, 0.3, count=15)
        + samples(None, False, 0.2, 0.3, count=50)
    )
    chosen = choose_policy(cal)
    assert chosen.rates["confident_wrong"] == 0.0 and chosen.threshold > 0.6
    assert chosen.rates["answered_right"] == pytest.approx(60 / 105, abs=0.001)
    assert "no setting that answers more than 10% of the FAQ's own questions wrong" in chosen.why
    monkeypatch.setattr(calibration, "MAX_HELDOUT_WRONG", 1.0)  # the cost alone
    assert choose_policy(cal).rates["confident_wrong"] == pytest.approx(15 / 105, abs=0.001)


def test_phrasings_learned_from_customers_do_not_dilute_the_cap_on_wrong_answers():
    # The calibration above, plus 200 learned phrasings the bot finds at 0.6: the questions it
    # already found (a customer picked or liked their entry). Counted with them, 15 of 305 (0.05)
    # would be wrong at 0.6 and the cost would answer there; the cap counts the 105 staff wrote.
    written = (
        samples("a", True, 0.8, 0.4, count=60)
        + samples("b", True, 0.6, 0.3, count=30)
        + samples("c", False, 0.6, 0.3, count=15)
        + samples(None, False, 0.2, 0.3, count=50)
    )
    learned = [replace(s, learned=True) for s in samples("b", True, 0.6, 0.3, count=200)]
    chosen = choose_policy(written + learned, learned_questions=200)
    assert chosen.threshold > 0.6 and chosen.rates["confident_wrong"] == 0.0
    unmarked = [replace(s, learned=False) for s in learned]
    assert choose_policy(written + unmarked).threshold <= 0.6  # what the cap allowed when it counted them


def test_choices_are_offered_only_at_or_above_the_threshold():
    cal = samples("a", True, 0.7, 0.3, count=40) + samples("b", False, 0.6, 0.02, behind=0.02, count=10)
    chosen = choose_policy(cal + samples(None, False, 0.3, 0.01, count=50))
    assert chosen.choice_margin is not None and chosen.choice_floor == chosen.threshold


def test_choose_policy_does_not_widen_the_margin_for_a_gain_within_the_noise():
    # A margin of 0.14 is the cheapest by a hair: it turns 2 wrong answers into choices but also
    # 5 right answers, a gain well within the noise of 47 questions. No choices are offered.
    faq = (
        samples("a", True, 0.8, 0.4, count=40)
        + samples("a", True, 0.7, 0.1, count=5)
        + samples("b", False, 0.7, 0.12, behind=0.12, count=2)
    )
    chosen = choose_policy(faq + samples(None, False, 0.2, 0.02, count=50))
    assert chosen.cheapest_choice_margin == pytest.approx(0.14)
    assert chosen.choice_margin is None and chosen.choice_floor is None
    assert chosen.counts["right"] == 45 and chosen.counts["wrong"] == 2
    assert "standard errors" in chosen.why
    # the same trade, clear of the noise (20 wrong answers turned into choices, with the 5 right ones), keeps it
    clear = faq + samples("b", False, 0.7, 0.12, behind=0.12, count=18)
    chosen = choose_policy(clear + samples(None, False, 0.2, 0.02, count=50))
    assert chosen.choice_margin == pytest.approx(0.14) and chosen.counts["one_click"] == 25


def test_the_threshold_is_the_middle_of_those_within_the_noise_of_the_cheapest(monkeypatch):
    """One question more or less answered must not move the threshold across the band: the same
    FAQ calibrated 0.44 on one machine and 0.40 on another, where the cost was flat within the
    noise from 0.39 to 0.48 (tandvard)."""
    faq = samples("a", True, 0.8, 0.4, count=40)
    offtopic = samples(None, False, 0.2, 0.02, count=50)
    # one question found at 0.45 makes 0.21-0.45 the cheapest by that one question: within the noise
    one = choose_policy(faq + samples("c", True, 0.45, 0.4, count=1) + offtopic)
    assert one.threshold == pytest.approx(0.51) and "within 1 standard errors of the cheapest" in one.why
    # eight of them are no noise: the threshold stays where they are answered
    assert choose_policy(faq + samples("c", True, 0.45, 0.4, count=8) + offtopic).threshold == pytest.approx(0.33)
    monkeypatch.setattr(calibration, "THRESHOLD_TOLERANCE_SE", 0.0)  # the exact cheapest alone
    assert choose_policy(faq + samples("c", True, 0.45, 0.4, count=1) + offtopic).threshold == pytest.approx(0.33)


def test_a_rebuild_keeps_the_setting_in_force_unless_the_new_one_is_clearly_cheaper():
    """Found by a walk-through: on a 26-entry FAQ every staff click moved the calibration
    (0.41 -> 0.48 -> 0.41 with one learned phrasing removed at a time). Right answers score 0.8
    and off-topic questions 0.2 here: every threshold between costs the same."""
    cal = samples("a", True, 0.8, 0.4, count=40) + samples(None, False, 0.2, 0.02, count=50)
    fresh = choose_policy(cal)
    assert fresh.threshold == pytest.approx(0.51)  # the middle of the cheapest run, 0.21-0.80
    kept = choose_policy(cal, in_force=Policy(0.35))
    assert (kept.threshold, kept.choice_margin) == (0.35, None) and "kept the threshold and margin in force" in kept.why
    assert kept.cost == pytest.approx(fresh.cost)
    # clearly worse on the new questions: every answer would go to the helpdesk
    assert choose_policy(cal, in_force=Policy(0.85)).threshold == pytest.approx(0.51)
    # against the rules: the bank's off-topic questions answered
    assert choose_policy(cal, in_force=Policy(0.20)).threshold == pytest.approx(0.51)
    # not a setting the calibration makes (choices below the threshold)
    assert choose_policy(cal, in_force=Policy(0.35, 0.1, 0.3)).threshold == pytest.approx(0.51)


def test_after_a_small_edit_the_setting_in_force_is_kept_more_readily():
    """Found by a walk-through: accepting one phrasing at a time, the threshold of a 19-entry FAQ
    went 0.45 -> 0.40 -> 0.47 -> 0.40. Two questions answered and one answered wrong at 0.33 make
    it the cheapest, within one standard error of 0.5 but not half of one."""
    cal = (
        samples("a", True, 0.8, 0.4, count=40)
        + samples(None, False, 0.2, 0.02, count=50)
        + samples("c", True, 0.45, 0.4, count=2)
        + samples("d", False, 0.44, 0.4, count=1)
    )
    assert choose_policy(cal).threshold == pytest.approx(0.33)
    small = choose_policy(cal, in_force=Policy(0.5), texts_changed=1)
    assert small.threshold == 0.5 and "(a small edit: 1 text(s) new or gone)" in small.why
    assert choose_policy(cal, in_force=Policy(0.5), texts_changed=6).threshold == pytest.approx(0.33)  # an "accept all"
    assert choose_policy(cal, in_force=Policy(0.5)).threshold == pytest.approx(0.33)  # size unknown


def test_the_setting_in_force_may_stay_with_one_question_over_the_cap_on_wrong_answers():
    """Found by a walk-through: on a 27-entry shop FAQ one question staff linked made three of its
    27 held-out questions wrong at the setting in force, one over the cap (10 %), and the
    calibration moved to a margin that turned a third of its right answers into choices. Here
    three wrong answers at 0.55 cost less than sending the seven questions there to the helpdesk."""
    faq = samples("a", True, 0.8, 0.4, count=20) + samples("b", True, 0.55, 0.3, count=4)
    offtopic = samples(None, False, 0.2, 0.02, count=50)
    three = faq + samples("c", False, 0.55, 0.3, count=3) + offtopic
    assert choose_policy(three).threshold > 0.55  # fresh: three of 27 wrong at 0.5 is over the cap
    kept = choose_policy(three, in_force=Policy(0.5))
    assert kept.threshold == 0.5 and kept.counts["wrong"] == 3 and np.isfinite(kept.cost)
    assert "kept the threshold and margin in force" in kept.why and "one question over the 10%" in kept.why
    four = faq + samples("c", False, 0.55, 0.3, count=4) + offtopic  # two over it: no longer noise
    assert choose_policy(four, in_force=Policy(0.5)).threshold > 0.55


def test_the_calibration_judges_every_setting_as_the_policy_decides_one_question():
    # The grid of costs (every threshold and margin at once) and Policy.decide + verdict on one
    # question are the same rule: compare them on random rankings.
    rng = random.Random(7)
    cal = []
    for _ in range(60):
        scores = sorted((round(rng.uniform(0.1, 0.9), 2) for _ in range(3)), reverse=True)
        ids = rng.sample(["a", "b", "c", "d"], 3)
        cal.append(Sample(rng.choice(["a", "b", None]), tuple(R(i, x) for i, x in zip(ids, scores, strict=True))))
    cost, _ = _question_costs(cal, THRESHOLDS)
    for ti in range(0, len(THRESHOLDS), 7):
        for mi, margin in enumerate(MARGINS):
            t = float(THRESHOLDS[ti])
            policy = Policy(t, float(margin) or None, t if margin else None)
            expected = [COSTS[verdict(policy.decide(s.ranked), s.expected)] for s in cal]
            assert np.allclose(cost[:, ti, mi], expected), (t, margin)


def test_each_reply_kind_says_what_it_implies():
    assert [k for k in ReplyKind if k.takes_feedback] == [ReplyKind.ANSWER]
    assert ReplyKind.CHOICES.is_question and not ReplyKind.GREETING.is_question
    assert not ReplyKind.EMPTY.is_logged and ReplyKind.ERROR.is_logged
    assert ReplyKind("choices") is ReplyKind.CHOICES and ReplyKind.ANSWER == "answer"


def test_a_verdict_names_the_figure_a_question_counts_in():
    policy = Policy(0.5, 0.1)
    assert verdict(policy.decide([R("a", 0.8), R("b", 0.3)]), "a") is Verdict.RIGHT
    assert verdict(policy.decide([R("a", 0.8), R("b", 0.3)]), "b") is Verdict.WRONG
    assert verdict(policy.decide([R("a", 0.62), R("b", 0.57)]), "b") is Verdict.ONE_CLICK
    assert verdict(policy.decide([R("a", 0.3), R("b", 0.1)]), "a") is Verdict.MISSED
    assert verdict(policy.decide([R("a", 0.62), R("b", 0.57)]), None) is Verdict.OFFTOPIC_CHOICES
    assert verdict(policy.decide([]), None) is Verdict.OFFTOPIC_HELPDESK
