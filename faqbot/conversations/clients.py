"""Which client asked, as the log keeps it: a keyed pseudonym of the client's network, never its address.

`learn: auto` (faqbot.staff.learn) accepts a phrasing only when enough *different* customers
confirmed it; the log needs to tell customers apart without holding their addresses. Each row
keeps `pseudonym(key, address)`: the first 16 hex digits of an HMAC-SHA256 of the client's
network under a random key that migration 7 makes once in the log's own database (table
`log_keys`), so every replica gives a client the same pseudonym and a pseudonym means nothing
without the database (an address cannot be looked up by hashing every IPv4 address). Whoever
holds the database holds the key too, and can test an address against the pseudonyms: it is a
pseudonym, not an anonymous id, and goes with its row after `retention_days`.

The network, not the address: an IPv6 customer (or attacker) holds a whole /64 and can send
from any address in it, so all of it is one client. IPv4 addresses are themselves.

Rows copied from another log (`faqbot log copy`) keep the pseudonyms made under that log's key:
a client who asked before and after the copy counts as two there.
Rows without a client (written before migration 7, by `faqbot ask`, or while a PostgreSQL log
had not been reached since the app started) count as none.

    >>> pseudonym("00" * 32, "2001:db8::1") == pseudonym("00" * 32, "2001:db8::ffff")
    True
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

IPV6_PREFIX = 64  # the network one IPv6 customer is given, and can send from any address of
PSEUDONYM_HEX = 16  # 64 bits: no two of a log's clients share one by chance


def client_network(address: str | None) -> str | None:
    """The network that counts as one client: the IPv4 address, the IPv6 /64; None when not an address."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:198.51.100.7 is the IPv4 client 198.51.100.7
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_PREFIX), strict=False))
    return str(ip)


def pseudonym(key: str | None, address: str | None) -> str | None:
    """The client's pseudonym under the log's key; None without a key or a real address."""
    network = client_network(address)
    if not key or network is None:
        return None
    digest = hmac.new(key.encode("ascii"), network.encode("ascii"), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_HEX]
