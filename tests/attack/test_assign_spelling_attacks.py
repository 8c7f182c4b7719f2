"""The spelling staff link to an entry is the one they read.

Found by an attack: a helpdesk group shows each question in its most common spelling, but the
form beside it carried the newest reply of any spelling that reads the same once case and
punctuation are set aside. Two customers asked "Har ni ett kontor i Lund?", an attacker then
"HAR NI ... ett kontor; i Lund??? >>>>>>> [[[ ]]] !!!!!!!!", and staff's "Koppla" wrote the
attacker's string, which the page never showed, into the FAQ.
"""

from __future__ import annotations

from faqbot.staff.learn import lesson
from faqbot.staff.teach import assignments
from tests.test_learn import FAQ, at_the_helpdesk, report_group

CUSTOMERS = "Har ni ett kontor i Lund?"
ATTACKER = "HAR NI ... ett kontor; i Lund??? >>>>>>> [[[ ]]] !!!!!!!!!!!!!!!!!!!! ###### %%%% @@@@"


def test_the_reply_staff_link_is_one_asked_in_the_spelling_they_read():
    rows = at_the_helpdesk(CUSTOMERS, CUSTOMERS, ATTACKER)  # h1, h2, then the attacker's h3
    group = report_group("new-entry", [(CUSTOMERS, 3)])  # the grouping shows the most common spelling
    [found] = lesson(rows, FAQ, lambda _questions, _clients: [group], set()).suggestions
    [shown] = found.evidence["examples"]
    assert shown["question"] == CUSTOMERS and shown["reply"] == "h2"
    log = type("Log", (), {"find": staticmethod({r.reply_id: r for r in rows}.get)})
    [written] = assignments(log, [(shown["reply"], "telefon")], {"backup", "telefon"})
    assert written.question == CUSTOMERS
