"""The decision: what kind of reply a question gets (`ReplyKind`), the rule that decides it
(`Policy`), how a decided question is judged (`verdict`, the four figures), and choosing the
rule on the FAQ itself (`choose_policy` -> `Calibration`).

Below retrieval in the layers: it knows ranked entries by id and score, nothing of indexes.
"""

from faqbot.decision.calibration import Calibration, Sample, choose_policy
from faqbot.decision.kinds import ReplyKind
from faqbot.decision.policy import Decision, Policy, Ranked, Scored
from faqbot.decision.verdict import Figures, Verdict, verdict

__all__ = [
    "Calibration",
    "Decision",
    "Figures",
    "Policy",
    "Ranked",
    "ReplyKind",
    "Sample",
    "Scored",
    "Verdict",
    "choose_policy",
    "verdict",
]
