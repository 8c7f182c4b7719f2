"""One IPv6 host, many addresses: the chat's budgets count its network, not each address.

Found by a red-team helper: behind the trusted proxy, 60 questions from 60 addresses of one /64
(`2001:db8:bb:1::1`, `::2`, ...) were all answered in 6 s where one address got 20 and then 429s,
and 300 at once from that /64 held the proxy's health check for 53 s and a real customer's
question for 56 s. Every message, rating and request budget, and the tarpit, was keyed on the
exact address; the log already counted the /48 as one client. Now they all spend the budget of
the client's network as the log counts it: the IPv4 address, the IPv6 /48.
"""

from __future__ import annotations

from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from faqbot.web.ratelimit import ClientBudget, RequestBudget, budget_key, request_limit


def test_the_addresses_of_one_ipv6_network_share_one_message_budget():
    budget = ClientBudget(lambda: 20)
    one_host = [f"2001:db8:bb:1::{n:x}" for n in range(1, 61)]
    allowed = [budget.allow(address, budget.messages) for address in one_host]
    assert allowed == [True] * 20 + [False] * 40
    assert budget.retry_after("2001:db8:bb:ffff::1", budget.messages) >= 1  # the whole /48 waits
    assert budget.allow("2001:db8:cc:1::1", budget.messages)  # another customer's network does not
    assert budget.allow("198.51.100.7", budget.messages) and budget.allow("198.51.100.8", budget.messages)
    # an IPv6 address that carries an IPv4 one is that IPv4 client, as in the log
    assert budget_key("::ffff:198.51.100.7") == budget_key("198.51.100.7") == "198.51.100.7"


def test_every_request_of_one_ipv6_network_spends_one_request_budget():
    budget = ClientBudget(lambda: 2)
    handled: list[str] = []

    async def app(scope, receive, send):
        handled.append(scope["client"][0])
        await PlainTextResponse("ok")(scope, receive, send)

    guarded = RequestBudget(app, budget, lambda: "Vänta en stund.", delay=0.01)
    limit = request_limit(2, asset=False)
    codes = [
        TestClient(guarded, client=(f"2001:db8:bb:1::{n:x}", 1234)).post("/api/ask", json={}).status_code
        for n in range(1, limit + 6)
    ]
    # a burst, then about the refill (two a second here) while the rest are refused; by address,
    # every one of them was a first request and went through
    let_through = codes.count(200)
    assert codes[:10] == [200] * 10 and let_through < limit // 2 and codes.count(429) > limit // 2
    assert len(handled) == let_through  # the app never saw the rest
    assert TestClient(guarded, client=("2001:db8:cc::1", 1234)).post("/api/ask", json={}).status_code == 200
