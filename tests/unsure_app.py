"""`python app.py` whose bot offers choices whenever it would send a question to the helpdesk
with two or more close entries: a "choices" reply (issue 11) on demand, for the browser test.

The shipped settings rarely make the policy choose "choices"; the widget must show such a
reply's 2-3 choices as buttons whatever the policy's settings are, so this stands in for an
unsure policy and changes nothing else: the reply is the bot's own, with kind "choices" and
the wording the bot uses for it.
"""

import sys
from dataclasses import replace

from faqbot.bot import FaqBot
from faqbot.cli import main
from faqbot.wording import message

answer = FaqBot.ask


def unsure(self: FaqBot, text: str, *args, **kwargs):
    reply = answer(self, text, *args, **kwargs)
    if reply.kind != "helpdesk" or len(reply.suggestions) < 2:
        return reply
    wording = message("choices", reply.language, reply.helpdesk)
    return replace(reply, kind="choices", answer=wording, suggestions=reply.suggestions[:3])


FaqBot.ask = unsure

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
