"""The FAQ file: the shipped one is valid, and every mistake staff can make is reported as file:LINE."""

from __future__ import annotations

import pytest
import yaml

from faqbot import DataError, load_faq
from faqbot.faq.messages import WORDING, in_swedish, say
from faqbot.faq.slips import explain
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
    # a walk-through's console took "???", and the chat offered it as a choice
    (
        "question of signs",
        SMALL_FAQ.replace("Kan jag ringa er?", '"???"'),
        ":7: question of entry 'phone' has no words",
    ),
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
        "off-topic question that is an entry's",
        SMALL_FAQ + "off_topic:\n  - Kostar det något?\n  - kan jag ringa er\n",
        ":11: 'kan jag ringa er' is both a question of entry 'phone' (line 6) and in off_topic: (questions staff marked as "
        "about something else; in the staff console, the list under Frågor och svar)",
    ),
    (
        "line separator pasted from Word",
        SMALL_FAQ.replace("Ja, med supportavtal.", '"Ja,\u2029med supportavtal."'),
        ":8: an invisible line separator (U+2029, which comes with text pasted from Word",
    ),
    ("off_topic not a list", SMALL_FAQ + "off_topic: Kostar det något?\n", ":9: 'off_topic' must be a list"),
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
    (
        "an entry that is only a text",
        SMALL_FAQ.replace("  - id: phone\n", "  - Kan jag ringa er?\n  - id: phone\n"),
        ":6: each entry needs 'id:', 'question:' and 'answer:' on lines of their own under its '- '",
    ),
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


def test_a_missing_file_is_said_without_a_line_number(tmp_path):
    """It read "faq.yaml:0: file not found": there is no line 0."""
    with pytest.raises(DataError) as caught:
        load_faq(tmp_path / "fq.yaml")
    assert str(caught.value) == f"{tmp_path / 'fq.yaml'}: file not found"


def test_binary_file_is_refused(tmp_path):
    path = write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00binary")
    with pytest.raises(DataError, match=r":3: contains a NUL byte"):
        load_faq(path)


def test_every_problem_is_reported_at_once(tmp_path):
    text = SMALL_FAQ.replace("Varje natt.", '""').replace("id: phone", "id: backup")
    with pytest.raises(DataError) as caught:
        load_faq(write(tmp_path, text))
    assert [line for line, _ in caught.value.problems] == [5, 6]


@pytest.mark.parametrize("mark", ["\u200b", "\u2060", "\ufeff", "\u200e", "\u202e", "\ufdd0", "\U000e0041"])
def test_an_invisible_mark_typed_into_the_file_is_named_on_its_line(tmp_path, mark):
    """Pasted into a hand edit, a zero-width space split "natt" for search, and nothing said so;
    in a comment it hides nothing and is left alone."""
    text = "# en kommentar med ett" + mark + "tecken\n" + SMALL_FAQ.replace("Varje natt.", "Varje n" + mark + "att.")
    with pytest.raises(DataError) as caught:
        load_faq(write(tmp_path, text))
    code = f"U+{ord(mark):04X}"
    assert caught.value.problems == [
        (
            6,
            f"an invisible mark ({code}, at character 20) that hides a word from search; "
            "it comes with pasted text: delete it (in an editor that shows it, or retype the word)",
        )
    ]
    assert in_swedish(caught.value.problems[0][1]).startswith(f"ett osynligt tecken ({code}, vid tecken 20)")


def test_a_file_full_of_invisible_marks_names_twenty_lines_and_counts_the_rest(tmp_path):
    entries = "".join(f"  - id: e{i}\n    question: Fråga{i}\u200b?\n    answer: Svar.\n" for i in range(500))
    with pytest.raises(DataError) as caught:
        load_faq(write(tmp_path, "helpdesk: help@example.se\nentries:\n" + entries))
    problems = caught.value.problems
    assert len(problems) == 21 and [line for line, _ in problems[:2]] == [4, 7]
    assert problems[-1] == (64, "and 480 more lines from here on with invisible marks like those above")
    assert in_swedish(problems[-1][1]) == "och 480 rader till härifrån med osynliga tecken som de ovan"


def test_emoji_joiners_and_the_first_byte_order_mark_are_kept(tmp_path):
    """The zero-width joiner builds emoji; an editor's byte order mark at the start is no text."""
    text = "\ufeff" + SMALL_FAQ.replace("Varje natt.", "Varje natt. \U0001f469\u200d\U0001f4bb")
    assert "\u200d" in load_faq(write(tmp_path, text)).by_id["backup"].answer


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


# -- slips in the YAML itself (issue 19 section 7) -------------------------------------------------

SHIPPED = (ROOT / "data" / "faq.yaml").read_text(encoding="utf-8")
LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if yaml.__with_libyaml__ else [])


def broken(line: str, typed: str, shift: int = 0) -> tuple[str, int]:
    """The shipped FAQ with `line` replaced by what a person typed, and the number of that line
    (plus `shift`, for a slip that starts on a line of `typed` after the first)."""
    lines = SHIPPED.split("\n")
    number = lines.index(line)
    lines[number] = typed
    return "\n".join(lines), number + 1 + shift


PHONE_Q = "    question: Finns det ingen telefonsupport?"
PHONE_ALT = "      - Vilket telefonnummer har supporten?"
PHONE_ANSWER_TEXT = "      Har du inget supportavtal där telefonsupport ingår så är det e-postadressen helpdesk@winterkvist.com som gäller."
SYNTAX_SLIPS = (
    [
        # (what staff did, (file text, line the slip starts on), English words, Swedish words)
        (
            "colon and space in an unquoted answer",
            broken("    answer: |", "    answer: Ring oss: 08-123 45 67"),
            "the text after 'answer:' has ': ' in it, which YAML reads as the start of a new key; "
            'put the whole text in quotes: answer: "Ring oss: 08-123 45 67"',
            "texten efter 'answer:' innehåller ': ' (kolon och mellanslag)",
        ),
        (
            "colon on the second line of a question",
            broken(PHONE_Q, "    question: Finns det ingen\n      telefonsupport: dygnet runt?"),
            'put the whole text in quotes: question: "Finns det ingen telefonsupport: dygnet runt?"',
            "sätt citattecken runt hela texten",
        ),
        (
            "a key without its colon",
            broken(PHONE_Q, "    question Finns det ingen telefonsupport?"),
            "'question' begins the line as a key does, but no ':' follows it in 'question Finns det ingen "
            "telefonsupport?'; write 'question: Finns det ingen telefonsupport?'",
            "'question' börjar raden som en nyckel, men inget ':' följer",
        ),
        (
            "a key indented more than its siblings",
            broken(PHONE_Q, "      " + PHONE_Q.strip()),
            "'question:' has 6 spaces before it, but 'id:' on line",
            "'question:' har 6 mellanslag före sig",
        ),
        (
            "a key indented less than its siblings",
            broken(PHONE_Q, "   " + PHONE_Q.strip()),
            "'question:' has 3 spaces before it, but 'id:' on line",
            "dra in raden 4 mellanslag",
        ),
        (
            "a list item indented less than the one above",
            broken(PHONE_ALT, "    " + PHONE_ALT.strip()),
            "'- Vilket telefonnummer har supporten?' has 4 spaces before it, but '- Kan jag ringa er?' on line",
            "har 4 mellanslag före sig, men '- Kan jag ringa er?'",
        ),
        (
            "a new entry indented one space too far",
            broken("  - id: telefonsupport", "   - id: telefonsupport"),
            "'- id: telefonsupport' has 3 spaces before it, but '- id: helpdesk' on line 16 has 2",
            "dra in raden 2 mellanslag",
        ),
        (
            "a tab for indentation",
            broken(PHONE_Q, "\t" + PHONE_Q.strip()),
            "the line has a tab character where YAML allows only spaces; replace the tab with spaces",
            "byt tabben mot mellanslag",
        ),
        (
            "a tab before a list item",
            broken(PHONE_ALT, "\t- " + PHONE_ALT.strip()[2:]),
            "a tab character",
            "tabbtecken",
        ),
        (
            "a new entry without its dash",
            broken("  - id: telefonsupport", "  id: telefonsupport"),
            "'id: telefonsupport' starts a new entry but has no '- ' in front of it; write '- id: telefonsupport'",
            "börjar en ny post men saknar '- ' framför",
        ),
        (
            "an unclosed quote",
            broken(PHONE_Q, '    question: "Finns det ingen telefonsupport?'),
            "the quote '\"' that opens here is never closed; close it or remove it",
            "citattecknet '\"' som börjar här avslutas aldrig",
        ),
        (
            "a quoted word at the start of a text",
            broken(PHONE_Q, '    question: "Telefon" finns det?'),
            "starts with '\"' but goes on after the closing '\"'; put the whole text in quotes of the other kind: "
            "question: '\"Telefon\" finns det?'",
            "av det andra slaget",
        ),
        (
            "no space after a key's colon",
            broken("    answer: |", "    answer:|"),
            "there is no space after the ':' in 'answer:|'; write 'answer: |'",
            "det saknas ett mellanslag efter ':'",
        ),
        (
            "no space after a list item's dash",
            broken(PHONE_ALT, "      -Vilket telefonnummer har supporten?"),
            "write '- Vilket telefonnummer har supporten?'",
            "det saknas ett mellanslag efter '-'",
        ),
        (
            "a line of an answer moved left to the keys",
            broken(PHONE_ANSWER_TEXT, PHONE_ANSWER_TEXT[2:]),
            "the line has 4 spaces before it, too few for the text under 'answer:', so YAML takes it for a new key; "
            "indent it 6 spaces",
            "dra in den 6 mellanslag",
        ),
    ]
    + [
        (
            f"a text starting with {char}",
            broken(PHONE_Q, f"    question: {char}Viktigt{char} Finns det ingen telefonsupport?"),
            f"the text after 'question:' starts with '{char}', which has a special meaning at the start of unquoted "
            f'YAML text; put the whole text in quotes: question: "{char}Viktigt{char} Finns det ingen telefonsupport?"',
            f"texten efter 'question:' börjar med '{char}'",
        )
        for char in "*&!%@`["
    ]
    + [
        (
            "an alternative starting with @",
            broken(PHONE_ALT, "      - @support telefon?"),
            """the text after '- ' starts with '@'""",
            """texten efter '- ' börjar med '@'""",
        )
    ]
)


@pytest.mark.parametrize("loader", LOADERS, ids=lambda loader: loader.__name__)
@pytest.mark.parametrize("what, broken_file, english, swedish", SYNTAX_SLIPS, ids=[s[0] for s in SYNTAX_SLIPS])
def test_a_yaml_slip_is_explained_on_the_line_it_starts_with_how_to_fix_it(loader, what, broken_file, english, swedish):
    """libyaml and pure-Python PyYAML word their errors differently; staff read the same explanation."""
    text, line = broken_file
    with pytest.raises(yaml.MarkedYAMLError) as caught:
        yaml.compose(text, Loader=loader)
    found_line, message = explain(caught.value, text)
    assert found_line == line and message.startswith("invalid YAML: ") and english in message
    assert in_swedish(message).startswith("ogiltig YAML: ") and swedish in in_swedish(message)


def test_faqbot_index_reports_a_slip_as_file_line_and_the_explanation(tmp_path):
    text, line = broken("    answer: |", "    answer: Ring oss: 08-123 45 67")
    path = write(tmp_path, text)
    with pytest.raises(DataError) as caught:
        load_faq(path)
    assert str(caught.value) == (
        f"{path}:{line}: invalid YAML: the text after 'answer:' has ': ' in it, which YAML reads as the start of "
        'a new key; put the whole text in quotes: answer: "Ring oss: 08-123 45 67"'
    )


VALID_YAML_SLIPS = [
    # (what staff did, (file text, line), the whole message, its Swedish) : YAML takes these, the checks do not
    (
        "a new entry without its dash, lined up with the keys",
        broken("  - id: telefonsupport", "    id: telefonsupport"),
        "'id: telefonsupport' starts a new entry but has no '- ' in front of it; write '- id: telefonsupport', "
        "lined up with the '- ' of the other entries",
        "'id: telefonsupport' börjar en ny post men saknar '- ' framför; skriv '- id: telefonsupport' rakt under "
        "de andra posternas '- '",
    ),
    (
        "a list item under a key that wants text",
        broken(PHONE_Q, "    question:\n      - Finns det ingen telefonsupport?", shift=1),
        "question of entry 'telefonsupport' must be text, not a list; remove the '- ' before the text "
        "(or the [ ] around it)",
        "frågan i posten 'telefonsupport' måste vara text, inte en lista; ta bort '- ' före texten "
        "(eller [ ] runt den)",
    ),
    (
        "a colon and space in an alternative",
        broken(PHONE_ALT, "      - Obs: vilket telefonnummer har supporten?"),
        "an alternative must be text, but the ': ' in it makes YAML read it as 'key: value'; put the whole text "
        'in quotes: "Obs: vilket telefonnummer har supporten?"',
        "ett annat sätt att fråga måste vara text, men ': ' i den gör att YAML läser den som 'nyckel: värde'; "
        'sätt citattecken runt hela texten: "Obs: vilket telefonnummer har supporten?"',
    ),
    (
        "a key twice in one entry",
        broken(PHONE_Q, PHONE_Q + "\n    question: Har ni telefonsupport?", shift=1),
        "duplicate key 'question' (first on line 35); keep only one of them",
        "nyckeln 'question' står två gånger (första gången på rad 35); behåll bara en av dem",
    ),
    (
        "a text starting with a word after '!'",
        broken(PHONE_Q, "    question: !Viktigt Finns det ingen telefonsupport?"),
        "question of entry 'telefonsupport' must be text, but it starts with '!', which YAML reads as a type; "
        'put the whole text in quotes: "!Viktigt Finns det ingen telefonsupport?"',
        "frågan i posten 'telefonsupport' måste vara text, men den börjar med '!', som YAML läser som en typ; "
        'sätt citattecken runt hela texten: "!Viktigt Finns det ingen telefonsupport?"',
    ),
    (
        # YAML 1.1 (the checks) reads 0o17 as text, YAML 1.2 (the console's editor, an accept) as the number 15
        "a number YAML 1.2 reads in octal",
        broken(PHONE_Q, "    question: 0o17"),
        "question of entry 'telefonsupport' must be text; put quotes around '0o17'",
        "frågan i posten 'telefonsupport' måste vara text; sätt citattecken runt '0o17'",
    ),
    (
        "a text starting with a word after '&'",
        broken(PHONE_Q, "    question: &Viktigt Finns det ingen telefonsupport?"),
        "YAML anchors and aliases (& and *) are not allowed; if the text after 'question:' really starts with '&', "
        'put the whole text in quotes: question: "&Viktigt Finns det ingen telefonsupport?"',
        "YAML-ankare och alias (& och *) är inte tillåtna; om texten efter 'question:' verkligen börjar med '&', "
        'sätt citattecken runt hela texten: question: "&Viktigt Finns det ingen telefonsupport?"',
    ),
]


@pytest.mark.parametrize("what, broken_file, english, swedish", VALID_YAML_SLIPS, ids=[s[0] for s in VALID_YAML_SLIPS])
def test_a_slip_yaml_accepts_is_explained_by_the_checks_once(tmp_path, what, broken_file, english, swedish):
    text, line = broken_file
    with pytest.raises(DataError) as caught:
        load_faq(write(tmp_path, text))
    assert caught.value.problems == [(line, english)]  # one message, not one per key of the lost entry
    assert in_swedish(english) == swedish


def test_every_message_of_the_explainer_reads_back_into_swedish():
    fields = {
        "where": "'answer:'",
        "example": 'answer: "a: b"',
        "char": "'@'",
        "name": "'question:'",
        "have": 3,
        "other": "'id:'",
        "other_line": 34,
        "want": 4,
        "id": "backup",
        "quote": "'\"'",
        "mark": ":",
        "snippet": "'answer:|'",
        "fixed": "'answer: |'",
        "problem": "found something odd",
        "key": "answer",
        "first": 5,
        "what": "answer of entry 'backup'",
        "value": "'12'",
        "known": "helpdesk, entries",
        "helpdesk": "support",
        "entry": "telefon",
        "text": "Kan jag ringa er?",
        "line": 12,
        "column": 20,
        "more": 480,
    }
    for kind, (english, swedish) in WORDING.items():
        used = {name: value for name, value in fields.items() if "{" + name + "}" in english}
        expected = swedish.format(**{**used, "what": "svaret i posten 'backup'"} if "what" in used else used)
        assert in_swedish(say(kind, **used)) == expected, kind
        assert in_swedish(say(kind, True, **used)) == "ogiltig YAML: " + expected, kind
    # the checks of the content too (found by a walk-through: English on the console's Swedish pages)
    assert in_swedish("answer of entry 'backup' is empty") == "svaret i posten 'backup' saknar text"
    assert in_swedish("file not found") is None  # the file's own troubles stay as they are


def test_questions_staff_marked_off_topic_load_and_change_the_hash(tmp_path):
    plain = load_faq(write(tmp_path, SMALL_FAQ))
    marked = load_faq(write(tmp_path, SMALL_FAQ + "off_topic:\n  - Säljer ni bilar?\n"))
    assert plain.off_topic == () and marked.off_topic == ("Säljer ni bilar?",)
    assert marked.content_hash() != plain.content_hash()  # the index is rebuilt with them
    assert load_faq(write(tmp_path, SMALL_FAQ + "off_topic:\n")).content_hash() == plain.content_hash()
