"""The chat's per-client rate limit, on a fake clock; and its two settings."""

from __future__ import annotations

import threading

import pytest

from faqbot.config import Config, load_config
from faqbot.errors import DataError
from faqbot.web.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_a_client_gets_its_limit_in_a_minute_and_no_more(clock):
    limiter = RateLimiter(clock=clock)
    assert [limiter.allow("10.0.0.1", 3) for _ in range(5)] == [True, True, True, False, False]


def test_the_window_slides_so_a_client_that_waits_gets_through_again(clock):
    limiter = RateLimiter(clock=clock)
    for second in (0, 20, 40):
        clock.now = 1000.0 + second
        assert limiter.allow("10.0.0.1", 3)
    clock.now = 1059.0
    assert not limiter.allow("10.0.0.1", 3)
    assert limiter.retry_after("10.0.0.1") == pytest.approx(1.0)
    clock.now = 1060.0  # the first message is a minute old: one more may go
    assert limiter.allow("10.0.0.1", 3)
    assert not limiter.allow("10.0.0.1", 3)
    clock.now = 1080.0
    assert limiter.allow("10.0.0.1", 3)


def test_refused_messages_do_not_count(clock):
    limiter = RateLimiter(clock=clock)
    assert limiter.allow("10.0.0.1", 1)
    for _ in range(100):  # hammering while limited does not push the wait further out
        clock.now += 0.5
        assert not limiter.allow("10.0.0.1", 1)
    clock.now = 1060.0
    assert limiter.allow("10.0.0.1", 1)


def test_clients_are_counted_separately(clock):
    limiter = RateLimiter(clock=clock)
    assert limiter.allow("10.0.0.1", 1)
    assert not limiter.allow("10.0.0.1", 1)
    assert limiter.allow("10.0.0.2", 1)
    assert limiter.allow("2001:db8::1", 1)


def test_a_limit_of_zero_is_no_limit(clock):
    limiter = RateLimiter(clock=clock)
    assert all(limiter.allow("10.0.0.1", 0) for _ in range(1000))


def test_a_lowered_limit_applies_at_once(clock):
    limiter = RateLimiter(clock=clock)
    assert all(limiter.allow("10.0.0.1", 10) for _ in range(5))
    assert not limiter.allow("10.0.0.1", 2)


def test_memory_is_bounded_and_the_longest_idle_clients_are_forgotten_first(clock):
    limiter = RateLimiter(max_clients=100, clock=clock)
    clients = [f"10.0.{n // 256}.{n % 256}" for n in range(1000)]
    assert all(limiter.allow(client, 5) for client in clients)
    # At a limit of 1 a remembered client (one message sent) is refused; a forgotten one starts afresh.
    assert not any(limiter.allow(client, 1) for client in clients[-100:])
    assert limiter.allow(clients[-101], 1)
    assert limiter.allow(clients[0], 1)


def test_many_threads_at_once_get_exactly_the_limit(clock):
    limiter = RateLimiter(clock=clock)
    start = threading.Barrier(50)
    allowed: list[bool] = []

    def send() -> None:
        start.wait()
        for _ in range(10):
            allowed.append(limiter.allow("10.0.0.1", 120))

    threads = [threading.Thread(target=send) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert allowed.count(True) == 120 and len(allowed) == 500


# -- the settings ----------------------------------------------------------------------------


def test_the_shipped_settings_limit_each_client_and_trust_no_proxy():
    from tests.conftest import ROOT

    config = load_config(ROOT / "data" / "config.yaml")
    assert config.rate_limit_per_minute == 20
    assert config.trusted_proxy == ""
    assert Config().rate_limit_per_minute == 20


@pytest.mark.parametrize(
    "line, expected",
    [
        ("rate_limit_per_minute: 0", {"rate_limit_per_minute": 0}),
        ("rate_limit_per_minute: 60", {"rate_limit_per_minute": 60}),
        ("trusted_proxy: 127.0.0.1", {"trusted_proxy": "127.0.0.1"}),
        ("trusted_proxy: 10.0.0.1, 10.1.0.0/16 , ::1", {"trusted_proxy": "10.0.0.1,10.1.0.0/16,::1"}),
        ("trusted_proxy:", {"trusted_proxy": ""}),
        ('name: "Storåns bibliotek: Läsa"', {"name": "Storåns bibliotek: Läsa"}),
        ("greeting_en: Hello! Ask me.", {"greeting_en": "Hello! Ask me."}),
    ],
)
def test_valid_settings_are_read(tmp_path, line, expected):
    (tmp_path / "config.yaml").write_text(line + "\n", encoding="utf-8")
    config = load_config(tmp_path / "config.yaml")
    assert {key: getattr(config, key) for key in expected} == expected


@pytest.mark.parametrize(
    "line, says",
    [
        ("rate_limit_per_minute: -1", "rate_limit_per_minute must be a whole number"),
        ("rate_limit_per_minute: lots", "rate_limit_per_minute must be a whole number"),
        ("rate_limit_per_minute: 2.5", "rate_limit_per_minute must be a whole number"),
        ("rate_limit_per_minute: true", "rate_limit_per_minute must be a whole number"),
        ("trusted_proxy: nginx.local", "trusted_proxy must be IP addresses"),
        ("trusted_proxy: [127.0.0.1]", "trusted_proxy must be IP addresses"),
        ("trusted_proxies: 127.0.0.1", "unknown setting 'trusted_proxies'"),
        ("greeting:", "greeting must be the bot's first words in Swedish"),
        ("name: [Winterkvist]", "name must be the company's name"),
    ],
)
def test_invalid_settings_name_the_file_and_line(tmp_path, line, says):
    (tmp_path / "config.yaml").write_text("threshold: 0.5\n" + line + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_config(tmp_path / "config.yaml")
    assert str(caught.value).startswith(f"{tmp_path / 'config.yaml'}:2: {says}")
