"""The FAQ file: the shipped one is valid, and every mistake staff can make is reported as file:LINE."""

from __future__ import annotations

import pytest

from faqbot import DataError, load_faq
from tests.conftest import ROOT
from tests.fakes import SMALL_FAQ


def test_shipped_faq_has_all_fourteen_entries_with_alternatives():
    faq = load_faq(ROOT / "data" / "faq.yaml")
    assert faq.helpdesk == "helpdesk@winterkvist.com"
    assert len(faq.entries) == 14
    assert all(4 <= len(e.alternatives) <= 8 for e in faq.entries)
    assert faq.by_id["telefonsupport"].question == "Finns det ingen telefonsupport?"


def write(tmp_path, text: str | bytes):
    path = tmp_path / "faq.yaml"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


BAD_FILES = [
    # (what staff did, file text, expected "LINE: message" fragment)
    (
        "bad YAML indentation",
        SMALL_FAQ.replace("    answer: Varje natt.", "   answer: Varje natt."),
        ":5: invalid YAML",
    ),
    ("missing answer", SMALL_FAQ.replace("    answer: Varje natt.\n", ""), ":3: entry 'backup' has no answer"),
    ("empty answer", SMALL_FAQ.replace("Varje natt.", '""'), ":5: answer of entry 'backup' is empty"),
    ("empty question", SMALL_FAQ.replace("Kan jag ringa er?", ""), ":7: question of entry 'phone' is empty"),
    ("duplicate id", SMALL_FAQ.replace("id: phone", "id: backup"), ":6: duplicate id 'backup' (first used on line 3)"),
    (
        "duplicate question",
        SMALL_FAQ.replace("Kan jag ringa er?", "Hur ofta gör ni säkerhetskopior?"),
        ":6: entry 'phone': question 'Hur ofta gör ni säkerhetskopior?' is already in entry 'backup'",
    ),
    (
        "unknown key",
        SMALL_FAQ.replace("    answer: Varje natt.", "    answer: Varje natt.\n    answr: typo"),
        ":6: unknown key 'answr'",
    ),
    ("number as question", SMALL_FAQ.replace("Kan jag ringa er?", "42"), ":7: question of entry 'phone' must be text"),
    (
        "list as answer",
        SMALL_FAQ.replace("answer: Varje natt.", "answer: [a, b]"),
        ":5: answer of entry 'backup' must be text",
    ),
    (
        "alternatives not a list",
        SMALL_FAQ.replace("    answer: Varje natt.", "    answer: Varje natt.\n    alternatives: nej"),
        ":6: 'alternatives' must be a list",
    ),
    (
        "duplicate key",
        SMALL_FAQ.replace("    answer: Varje natt.", "    answer: Varje natt.\n    answer: Igen."),
        ":6: duplicate key 'answer'",
    ),
    ("bad id", SMALL_FAQ.replace("id: phone", "id: Phone Support"), ":6: id 'Phone Support' may only use"),
    ("no helpdesk", SMALL_FAQ.replace("helpdesk: help@example.se\n", ""), ":1: missing 'helpdesk:'"),
    (
        "helpdesk not an address",
        SMALL_FAQ.replace("help@example.se", "helpdesk"),
        ":1: helpdesk 'helpdesk' is not an e-mail address",
    ),
    ("yaml alias", SMALL_FAQ.replace("answer: Varje natt.", "answer: &a Varje natt."), ":5: YAML anchors and aliases"),
    (
        "empty English answer",
        SMALL_FAQ.replace("    answer: Varje natt.", "    answer: Varje natt.\n    answer_en: ''"),
        ":6: answer_en of entry 'backup' is empty",
    ),
    (
        "section as a list",
        SMALL_FAQ.replace("    answer: Varje natt.", "    answer: Varje natt.\n    section: [a, b]"),
        ":6: section of entry 'backup' must be text",
    ),
    (
        "English question repeats another entry's question",
        SMALL_FAQ.replace("    answer: Varje natt.", "    answer: Varje natt.\n    question_en: Kan jag ringa er?"),
        ":7: entry 'phone': question 'Kan jag ringa er?' is already in entry 'backup'",
    ),
    (
        "blank learned phrasing",
        SMALL_FAQ.replace(
            "    answer: Varje natt.", "    answer: Varje natt.\n    learned:\n      - Tar ni backup?\n      - ' '"
        ),
        ":8: a learned phrasing is empty",
    ),
    (
        "learned not a list",
        SMALL_FAQ.replace("    answer: Varje natt.", "    answer: Varje natt.\n    learned: nej"),
        ":6: 'learned' must be a list",
    ),
    (
        "learned phrasing as a number",
        SMALL_FAQ.replace("    answer: Varje natt.", "    answer: Varje natt.\n    learned: [42]"),
        ":6: a learned phrasing must be text",
    ),
    (
        "learned phrasing repeats another entry's question",
        SMALL_FAQ.replace("    answer: Varje natt.", "    answer: Varje natt.\n    learned: [kan jag ringa er]"),
        ":7: entry 'phone': question 'Kan jag ringa er?' is already in entry 'backup'",
    ),
    ("no entries", "helpdesk: help@example.se\nentries: []\n", ":2: 'entries' is empty"),
    ("not a mapping", "- just a list\n", ":1: the file must have"),
]


@pytest.mark.parametrize("what, text, expected", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_invalid_faq_is_reported_with_file_and_line(tmp_path, what, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(DataError) as caught:
        load_faq(path)
    assert f"{path}{expected}" in str(caught.value)


def test_non_utf8_bytes_are_reported_on_their_line(tmp_path):
    path = write(tmp_path, SMALL_FAQ.encode().replace(b"Varje natt", "Varje n\xe4tt".encode("latin-1")))
    with pytest.raises(DataError, match=rf"{path}:5: is not UTF-8"):
        load_faq(path)


def test_binary_file_is_refused(tmp_path):
    path = write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00binary")
    with pytest.raises(DataError, match=r":3: contains a NUL byte"):
        load_faq(path)


def test_every_problem_is_reported_at_once(tmp_path):
    text = SMALL_FAQ.replace("Varje natt.", '""').replace("id: phone", "id: backup")
    with pytest.raises(DataError) as caught:
        load_faq(write(tmp_path, text))
    assert [line for line, _ in caught.value.problems] == [5, 6]


def test_huge_file_is_refused(tmp_path):
    path = write(tmp_path, SMALL_FAQ + "#" * 3_000_000)
    with pytest.raises(DataError, match=r":1: file is 3,000,\d+ bytes; the limit is 2,000,000"):
        load_faq(path)


def test_billion_laughs_is_refused_without_expanding(tmp_path):
    bomb = 'a: &a ["lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
    with pytest.raises(DataError, match=r":1: YAML anchors and aliases"):
        load_faq(write(tmp_path, bomb))


WITH_OPTIONAL = SMALL_FAQ.replace(
    "    answer: Varje natt.",
    "    section: Drift\n    answer: Varje natt.\n    question_en: How often do you back up?\n"
    "    answer_en: Every night.",
)


def test_optional_fields_are_loaded_and_absent_ones_are_empty(tmp_path):
    faq = load_faq(write(tmp_path, WITH_OPTIONAL))
    backup, phone = faq.entries
    assert (backup.section, backup.question_en, backup.answer_en) == (
        "Drift",
        "How often do you back up?",
        "Every night.",
    )
    assert (phone.section, phone.question_en, phone.answer_en) == ("", "", "")
    assert backup.questions() == ("Hur ofta gör ni säkerhetskopior?", "How often do you back up?")


@pytest.mark.parametrize(
    "edit",
    [
        ("Drift", "Teknik"),
        ("Every night.", "Every hour."),
        ("How often do you back up?", "When do you back up?"),
    ],
    ids=["section", "answer_en", "question_en"],
)
def test_editing_an_optional_field_changes_the_content_hash(tmp_path, edit):
    before = load_faq(write(tmp_path, WITH_OPTIONAL))
    after = load_faq(write(tmp_path, WITH_OPTIONAL.replace(*edit)))
    assert before.by_id["backup"].content_hash() != after.by_id["backup"].content_hash()
    assert before.by_id["phone"].content_hash() == after.by_id["phone"].content_hash()
    assert before.content_hash() != after.content_hash()


def test_the_same_question_may_stand_in_two_sections(tmp_path):
    text = SMALL_FAQ.replace("Kan jag ringa er?", "Hur ofta gör ni säkerhetskopior?")
    text = text.replace("  - id: backup\n", "  - id: backup\n    section: Drift\n").replace(
        "  - id: phone\n", "  - id: phone\n    section: Support\n"
    )
    faq = load_faq(write(tmp_path, text))
    assert [e.section for e in faq.entries] == ["Drift", "Support"]


WITH_LEARNED = SMALL_FAQ.replace(
    "    answer: Varje natt.",
    "    answer: Varje natt.\n    alternatives:\n      - Tar ni backup?\n    learned:\n      - Sparar ni kopior av sajten?"
    "\n    question_en: How often do you back up?",
)


def test_learned_phrasings_are_questions_of_their_entry_after_the_alternatives(tmp_path):
    backup, phone = load_faq(write(tmp_path, WITH_LEARNED)).entries
    assert backup.learned == ("Sparar ni kopior av sajten?",)
    assert backup.questions() == (
        "Hur ofta gör ni säkerhetskopior?",
        "Tar ni backup?",
        "Sparar ni kopior av sajten?",
        "How often do you back up?",
    )
    assert phone.learned == ()


def test_learned_phrasings_count_as_known_questions(tmp_path):
    faq = load_faq(write(tmp_path, WITH_LEARNED))
    assert "sparar ni kopior av sajten" in faq.question_keys()


def test_learning_changes_the_hash_of_that_entry_only(tmp_path):
    without = SMALL_FAQ.replace(
        "    answer: Varje natt.",
        "    answer: Varje natt.\n    alternatives:\n      - Tar ni backup?\n    question_en: How often do you back up?",
    )
    before = load_faq(write(tmp_path, without))
    after = load_faq(write(tmp_path, WITH_LEARNED))
    empty = load_faq(write(tmp_path, without.replace("    question_en", "    learned: []\n    question_en")))
    assert before.by_id["backup"].content_hash() != after.by_id["backup"].content_hash()
    assert before.by_id["phone"].content_hash() == after.by_id["phone"].content_hash()
    assert empty.by_id["backup"].content_hash() == before.by_id["backup"].content_hash()
