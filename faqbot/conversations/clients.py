"""Which client asked, as the log keeps it: a keyed pseudonym of the client's network, never its address.

`learn: auto` (faqbot.staff.learn) accepts a phrasing only when enough *different* customers
confirmed it; the log needs to tell customers apart without holding their addresses. Each row
keeps `pseudonym(key, address)`: the first 16 hex digits of an HMAC-SHA256 of the client's
network under a random key that migration 7 makes once in the log's own database (table
`log_keys`), so every replica gives a client the same pseudonym and a pseudonym means nothing
without the database (an address cannot be looked up by hashing every IPv4 address). Whoever
holds the database holds the key too, and can test an address against the pseudonyms: it is a
pseudonym, not an anonymous id, and goes with its row after `retention_days`.

The network, not the address: an IPv6 customer (or attacker) can send from any address of the
prefix they are given, and that is often a /56 or a /48 (a free tunnel gives anyone a /48), so a
whole /48 counts as one client: this errs towards too few clients, the safe side. An IPv6
address that carries an IPv4 one (IPv4-mapped, 6to4, Teredo) is that IPv4 client. IPv4
addresses are themselves.

`faqbot log copy` keeps a row's pseudonym only when the destination has the same key
(faqbot.conversations.transfer): under another key the same client would count as two.
Rows without a client (written before migration 7, by `faqbot ask`, or while a PostgreSQL log
had not been reached since the app started) count as none.

    >>> pseudonym("00" * 32, "2001:db8:0:1::1") == pseudonym("00" * 32, "2001:db8:0:ffff::9")
    True
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

IPV6_PREFIX = 48  # the most one IPv6 customer is commonly given, and can send from any address of
PSEUDONYM_HEX = 16  # 64 bits: no two of a log's clients share one by chance


def client_network(address: str | None) -> str | None:
    """The network that counts as one client: the IPv4 address, the IPv6 /48; None when not an address."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        carried = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if carried is not None:  # ::ffff:198.51.100.7, 2002:c633:6407::, Teredo: the IPv4 client
            return str(carried)
        return str(ipaddress.IPv6Network((ip, IPV6_PREFIX), strict=False))
    return str(ip)


def pseudonym(key: str | None, address: str | None) -> str | None:
    """The client's pseudonym under the log's key; None without a key or a real address."""
    network = client_network(address)
    if not key or network is None:
        return None
    digest = hmac.new(key.encode("ascii"), network.encode("ascii"), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_HEX]
