"""Accepting customers' phrasings writes them into the FAQ file and changes nothing else staff wrote."""

from __future__ import annotations

import difflib
import shutil
import stat

import pytest

from faqbot import DataError, load_faq
from faqbot.faq.edit import Added, add_learned, add_off_topic, remove_entry, remove_learned
from tests.conftest import ROOT

# An entry without alternatives, its answer a block scalar followed by a blank line.
NO_ALTERNATIVES = """\
  - id: kontorshund
    question: Har ni en kontorshund?
    answer: |
      Ja, hon heter Sigrid.

"""

# What staff may write by hand: quotes, a flow list, comments inside and between entries, a
# comment above a key, an English question after the alternatives, blank lines.
HAND_WRITTEN = """\
# Our FAQ. Edit by hand.
helpdesk: 'help@example.se'   # where unanswered questions go

entries:
  # Backups first: customers ask most about them.
  - id: backup
    question: "Hur ofta gör ni säkerhetskopior?"
    answer: >
      Varje natt,
      och vi sparar dem i 30 dagar.
    alternatives: [Tar ni backup, 'Sparar ni kopior?']   # short ones
    # The English question is for the English widget.
    question_en: How often do you back up?


  - id: phone
    question: Kan jag ringa er?  # the most common one
    answer: Ja, med supportavtal.
    alternatives:
      - Har ni telefonsupport?   # from the old FAQ
      - "Vilket nummer ringer jag?"
    learned:
      - Kan man ringa till supporten

  # Added in March.
  - id: domain
    question: Kan ni flytta min domän?
    answer: |
      Ja.

      Vi sköter flytten åt dig.
"""


def removed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="")
    return [line for line in diff if line.startswith("-") and not line.startswith("---")]


def added_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="")
    return [line[1:] for line in diff if line.startswith("+") and not line.startswith("+++")]


@pytest.fixture
def shipped_copy(tmp_path):
    """The shipped FAQ with one entry that has no alternatives, under tmp_path."""
    path = tmp_path / "faq.yaml"
    text = (ROOT / "data" / "faq.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("  - id: telefonsupport\n", NO_ALTERNATIVES + "  - id: telefonsupport\n", 1))
    return path


def write(tmp_path, text: str, name: str = "faq.yaml"):
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def test_accepting_phrasings_only_adds_lines_to_the_shipped_faq(shipped_copy):
    before = shipped_copy.read_text(encoding="utf-8")
    result = add_learned(
        shipped_copy,
        {"helpdesk": ["Hur får jag tag på er?", "Vem svarar på mina mejl?"], "kontorshund": ["Får jag klappa hunden?"]},
    )
    after = shipped_copy.read_text(encoding="utf-8")
    assert removed_lines(before, after) == []
    assert added_lines(before, after) == [
        "    learned:",
        "      - Hur får jag tag på er?",
        "      - Vem svarar på mina mejl?",
        "    learned:",
        "      - Får jag klappa hunden?",
    ]
    assert (
        "      Ja, hon heter Sigrid.\n    learned:\n      - Får jag klappa hunden?\n\n  - id: telefonsupport" in after
    )
    assert [(a.faq_id, a.text) for a in result.added] == [
        ("helpdesk", "Hur får jag tag på er?"),
        ("helpdesk", "Vem svarar på mina mejl?"),
        ("kontorshund", "Får jag klappa hunden?"),
    ]
    assert result.skipped == () and result.reformatted == ()


def test_learned_phrasings_load_as_questions_of_their_entry(shipped_copy):
    add_learned(shipped_copy, {"helpdesk": ["Hur får jag tag på er?"], "kontorshund": ["Får jag klappa hunden?"]})
    faq = load_faq(shipped_copy)
    assert faq.by_id["helpdesk"].learned == ("Hur får jag tag på er?",)
    assert "Hur får jag tag på er?" in faq.by_id["helpdesk"].questions()
    assert faq.by_id["kontorshund"].questions() == ("Har ni en kontorshund?", "Får jag klappa hunden?")
    assert faq.by_id["helpdesk"].alternatives == load_faq(ROOT / "data" / "faq.yaml").by_id["helpdesk"].alternatives


def test_added_phrasings_report_their_line_in_the_new_file(shipped_copy):
    result = add_learned(shipped_copy, {"support-ingar": ["Ingår det att ni fixar min mejl?"]})
    lines = shipped_copy.read_text(encoding="utf-8").splitlines()
    (added,) = result.added
    assert added == Added("support-ingar", "Ingår det att ni fixar min mejl?", added.line)
    assert lines[added.line - 1] == "      - Ingår det att ni fixar min mejl?"


def test_hand_written_layout_is_kept(tmp_path):
    path = write(tmp_path, HAND_WRITTEN)
    result = add_learned(
        path,
        {
            "backup": ["Hur länge sparar ni backuperna?"],
            "phone": ["Går det att ringa på helgen?"],
            "domain": ["Byter ni registrar åt mig?"],
        },
    )
    after = path.read_text(encoding="utf-8")
    assert removed_lines(HAND_WRITTEN, after) == [] and result.reformatted == ()
    assert "    alternatives: [Tar ni backup, 'Sparar ni kopior?']   # short ones\n    learned:\n" in after
    assert "      - Hur länge sparar ni backuperna?\n    # The English question is for the English widget.\n" in after
    assert "      - Kan man ringa till supporten\n      - Går det att ringa på helgen?\n\n  # Added in March." in after
    assert after.endswith("      Vi sköter flytten åt dig.\n    learned:\n      - Byter ni registrar åt mig?\n")
    faq = load_faq(path)
    assert faq.by_id["phone"].learned == ("Kan man ringa till supporten", "Går det att ringa på helgen?")
    assert faq.by_id["backup"].question_en == "How often do you back up?"


def test_windows_line_endings_and_byte_order_mark_are_kept(tmp_path):
    original = ("\ufeff" + HAND_WRITTEN).replace("\n", "\r\n").encode()
    path = tmp_path / "faq.yaml"
    path.write_bytes(original)
    result = add_learned(path, {"domain": ["Byter ni registrar åt mig?"]})
    after = path.read_bytes()
    assert result.reformatted == ()
    assert after.splitlines()[result.added[0].line - 1] == "      - Byter ni registrar åt mig?".encode()
    assert after.startswith(original)  # the entry is the last one: its new lines come at the end
    assert after[len(original) :] == b"    learned:\r\n      - Byter ni registrar \xc3\xa5t mig?\r\n"


def test_a_phrasing_already_in_the_faq_is_skipped_and_says_where(tmp_path):
    path = write(tmp_path, HAND_WRITTEN)
    result = add_learned(path, {"backup": ["tar ni BACKUP", "Har ni telefonsupport", "  ", "Ny fråga?", "ny fråga"]})
    assert [(s.text, s.reason) for s in result.skipped] == [
        ("tar ni BACKUP", "already in this entry (line 11)"),  # the line it is on in the file as written
        ("Har ni telefonsupport", "already in entry 'phone' (line 22)"),
        ("  ", "blank"),
        ("ny fråga", "already in this entry (line 13)"),  # where the first of the two was written
    ]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert "Tar ni backup" in lines[10] and "Har ni telefonsupport?" in lines[21] and "Ny fråga?" in lines[12]
    assert load_faq(path).by_id["backup"].learned == ("Ny fråga?",)


def test_a_phrasing_two_sections_share_is_said_to_be_on_the_line_of_the_entry_named(tmp_path):
    text = (
        "helpdesk: help@example.se\nentries:\n"
        "  - id: a\n    section: Ett\n    question: Kostar det något?\n    answer: Nej.\n"
        "  - id: b\n    section: Två\n    question: Kostar det något?\n    answer: Ja.\n"
        "  - id: c\n    question: Hur bokar jag?\n    answer: På webben.\n"
    )
    path = tmp_path / "faq.yaml"
    path.write_text(text, encoding="utf-8")
    skipped = add_learned(path, {"c": ["kostar det något"]}).skipped[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert "Kostar det något?" in lines[skipped.line - 1]
    assert any(f"id: {skipped.already_in}" in line for line in lines[skipped.line - 4 : skipped.line - 1])


def test_nothing_new_leaves_the_file_untouched(tmp_path):
    path = write(tmp_path, HAND_WRITTEN)
    mtime = path.stat().st_mtime_ns
    result = add_learned(path, {"phone": ["Kan jag ringa er?"]})
    assert result.added == () and len(result.skipped) == 1
    assert result.skipped[0].line == 17 and "Kan jag ringa er?" in path.read_text(encoding="utf-8").splitlines()[16]
    assert path.stat().st_mtime_ns == mtime


def test_phrasings_yaml_would_misread_stay_text(tmp_path):
    path = write(tmp_path, HAND_WRITTEN)
    texts = ["yes", "Kan jag ringa: nu?", "Vad kostar #1?", '"Webbhotell" - vad är det?', "- nej"]
    add_learned(path, {"domain": texts})
    assert load_faq(path).by_id["domain"].learned == tuple(texts)


def test_an_unknown_id_is_refused_and_the_file_untouched(tmp_path):
    path = write(tmp_path, HAND_WRITTEN)
    with pytest.raises(DataError, match=r"no entry has the id 'bakup'"):
        add_learned(path, {"phone": ["Ringer ni upp?"], "bakup": ["Tar ni kopior?"]})
    assert path.read_text(encoding="utf-8") == HAND_WRITTEN


def test_an_invalid_file_is_refused_and_not_touched(tmp_path):
    broken = HAND_WRITTEN.replace("    answer: Ja, med supportavtal.\n", "    answr: Ja, med supportavtal.\n")
    path = write(tmp_path, broken)
    with pytest.raises(DataError, match=r"faq.yaml:16: entry 'phone' has no answer"):
        add_learned(path, {"backup": ["Tar ni kopior varje dag?"]})
    assert path.read_text(encoding="utf-8") == broken
    assert [p.name for p in tmp_path.iterdir()] == ["faq.yaml"]


def test_file_permissions_are_kept_and_no_temporary_file_is_left(tmp_path):
    path = write(tmp_path, HAND_WRITTEN)
    path.chmod(0o640)
    add_learned(path, {"backup": ["Tar ni kopior varje dag?"]})
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["faq.yaml"]


def test_a_symlinked_faq_stays_a_symlink(tmp_path):
    real = write(tmp_path, HAND_WRITTEN, "real.yaml")
    link = tmp_path / "faq.yaml"
    link.symlink_to(real)
    add_learned(link, {"backup": ["Tar ni kopior varje dag?"]})
    assert link.is_symlink() and load_faq(real).by_id["backup"].learned == ("Tar ni kopior varje dag?",)


def test_unusual_spacing_that_the_round_trip_rewrites_is_reported(tmp_path):
    odd = HAND_WRITTEN.replace("    answer: Ja, med supportavtal.", "    answer:    Ja, med supportavtal.")
    path = write(tmp_path, odd)
    result = add_learned(path, {"phone": ["Går det att ringa på helgen?"]})
    assert result.reformatted == (18,)


def test_removing_a_learned_phrasing_undoes_the_accept_exactly(shipped_copy, tmp_path):
    hand = write(tmp_path, HAND_WRITTEN, "hand.yaml")
    for path, faq_id in [(shipped_copy, "helpdesk"), (shipped_copy, "kontorshund"), (hand, "phone"), (hand, "backup")]:
        before = path.read_bytes()
        add_learned(path, {faq_id: ["Första nya frågan?", "Andra nya frågan?"]})
        assert remove_learned(path, faq_id, "andra nya frågan")
        assert remove_learned(path, faq_id, "Första nya frågan?")
        assert path.read_bytes() == before, faq_id


def test_removing_a_middle_phrasing_keeps_the_others(tmp_path):
    path = write(tmp_path, HAND_WRITTEN)
    add_learned(path, {"phone": ["Går det att ringa på helgen?", "Ringer ni upp?"]})
    assert remove_learned(path, "phone", "Går det att ringa på helgen?")
    after = path.read_text(encoding="utf-8")
    assert removed_lines(HAND_WRITTEN, after) == []
    assert added_lines(HAND_WRITTEN, after) == ["      - Ringer ni upp?"]


def test_removing_a_phrasing_the_entry_does_not_have_changes_nothing(tmp_path):
    path = write(tmp_path, HAND_WRITTEN)
    assert not remove_learned(path, "phone", "Kan jag ringa er?")  # the question, not a learned phrasing
    assert path.read_text(encoding="utf-8") == HAND_WRITTEN
    with pytest.raises(DataError, match=r"no entry has the id 'fone'"):
        remove_learned(path, "fone", "Kan man ringa till supporten")


def test_shipped_faq_round_trips_unchanged(tmp_path):
    path = tmp_path / "faq.yaml"
    shutil.copy(ROOT / "data" / "faq.yaml", path)
    result = add_learned(path, {"helpdesk": ["Hur får jag tag på er?"]})
    assert result.reformatted == ()


def test_a_flow_style_learned_list_stays_flow_style(tmp_path):
    text = HAND_WRITTEN.replace(
        "    learned:\n      - Kan man ringa till supporten\n", "    learned: [Kan man ringa]\n"
    )
    path = write(tmp_path, text)
    add_learned(path, {"phone": ["Ringer ni upp?"]})
    assert '    learned: [Kan man ringa, "Ringer ni upp?"]\n' in path.read_text(encoding="utf-8")
    assert load_faq(path).by_id["phone"].learned == ("Kan man ringa", "Ringer ni upp?")


def test_an_empty_learned_key_gets_the_phrasings(tmp_path):
    text = HAND_WRITTEN.replace("    learned:\n      - Kan man ringa till supporten\n", "    learned:\n")
    path = write(tmp_path, text)
    add_learned(path, {"phone": ["Ringer ni upp?"]})
    assert load_faq(path).by_id["phone"].learned == ("Ringer ni upp?",)
    assert "    learned:\n      - Ringer ni upp?\n\n  # Added in March." in path.read_text(encoding="utf-8")


def test_marking_questions_off_topic_only_adds_the_list_at_the_end(shipped_copy):
    before = shipped_copy.read_text(encoding="utf-8")
    written = add_off_topic(shipped_copy, ["Säljer ni  bilar?", "Kan jag ringa er?", "säljer ni bilar", ""])
    assert written == ("Säljer ni bilar?",)  # an entry's question, a repeat and a blank are not written
    after = shipped_copy.read_text(encoding="utf-8")
    assert removed_lines(before, after) == [] and after.startswith(before)
    assert after.endswith(
        'the console\'s\n# "Handlar om annat"): the bot sends them, and questions nearer them than '
        "any entry, to the helpdesk.\noff_topic:\n  - Säljer ni bilar?\n"
    )
    assert add_off_topic(shipped_copy, ["Hur tvättar jag bilen?"]) == ("Hur tvättar jag bilen?",)
    again = shipped_copy.read_text(encoding="utf-8")
    assert added_lines(after, again) == ["  - Hur tvättar jag bilen?"] and removed_lines(after, again) == []
    assert load_faq(shipped_copy).off_topic == ("Säljer ni bilar?", "Hur tvättar jag bilen?")


def test_an_off_topic_list_before_a_closing_comment_keeps_the_comment_last(tmp_path):
    text = HAND_WRITTEN + "off_topic:\n  - Säljer ni bilar?\n\n# End of the FAQ.\n"
    path = write(tmp_path, text)
    assert add_off_topic(path, ["Hur tvättar jag bilen?"]) == ("Hur tvättar jag bilen?",)
    after = path.read_text(encoding="utf-8")
    assert after == text.replace("bilar?\n", "bilar?\n  - Hur tvättar jag bilen?\n")


@pytest.mark.parametrize(
    ("faq_id", "gone"),
    [
        # the middle: its lines and the blank line under it; the comment above the next entry stays
        ("phone", (16, 24)),
        # the first: its lines and the two blank lines under it (the comment above it stays, on top)
        ("backup", (6, 15)),
        # the last: its lines (the comment above it was written for it, but is kept: staff wrote it)
        ("domain", (26, 31)),
    ],
)
def test_removing_an_entry_takes_its_lines_out_and_nothing_else(tmp_path, faq_id, gone):
    path = tmp_path / "faq.yaml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    question = load_faq(path).by_id[faq_id].question
    assert remove_entry(path, faq_id) == question
    lines = HAND_WRITTEN.splitlines(keepends=True)
    first, last = gone
    assert path.read_text(encoding="utf-8") == "".join(lines[: first - 1] + lines[last:])
    assert faq_id not in load_faq(path).by_id


def test_the_faqs_only_entry_is_not_removed(tmp_path):
    path = tmp_path / "faq.yaml"
    path.write_text("helpdesk: help@example.se\nentries:\n" + NO_ALTERNATIVES, encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(DataError, match="only entry, and the FAQ needs one"):
        remove_entry(path, "kontorshund")
    with pytest.raises(DataError, match="no entry has the id 'finns-inte'"):
        remove_entry(path, "finns-inte")
    assert path.read_bytes() == before
