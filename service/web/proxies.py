"""The client's address behind trusted proxies (the `TRUSTED_PROXIES` setting).

Behind a load balancer every request comes from the balancer's address: without this, all clients share
one rate-limit bucket and the audit log records the balancer. X-Forwarded-For cannot simply be believed
either: any client can send one, and would then choose its own rate-limit bucket and forge the address
in the audit log. So the header is read only when the direct peer is a proxy we trust, and from the
right: each trusted proxy appends the address it received from, so the rightmost address that is not
one of ours is the client (anything further left was written by the client itself).

The middleware rewrites REMOTE_ADDR, so `request.remote_addr` (the rate limits, the lock-out, the
audit log, every log line) means the client everywhere; the peer stays in `tiepdan.peer_addr`.
"""
from __future__ import annotations

import ipaddress
from typing import Any, Callable, Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
PEER_KEY = "tiepdan.peer_addr"


def parse_networks(value: str | Iterable[str] | None) -> tuple[Network, ...]:
    """'10.0.0.0/8, 192.0.2.7' → networks; a bad entry is refused (a typo must not trust the world)."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    networks = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ValueError(f"TRUSTED_PROXIES: '{item}' is not an IP address or network (CIDR)") from exc
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.5:51234"
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:  # '::ffff:203.0.113.5'
        return address.ipv4_mapped
    return address


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str | None:
    """The client's address: the peer unless it is a trusted proxy, then the rightmost untrusted hop of
    X-Forwarded-For (the leftmost hop when every one is trusted)."""
    peer_ip = _address(peer or "")
    if not trusted or peer_ip is None or not _trusted(peer_ip, trusted) or not forwarded_for:
        return peer
    client = peer_ip
    for hop in reversed([h for h in forwarded_for.split(",") if h.strip()]):
        address = _address(hop)
        if address is None:  # garbage in the chain: stop at the last hop a trusted proxy vouched for
            break
        client = address
        if not _trusted(address, trusted):
            break
    return str(client)


def _trusted(address: Any, trusted: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in trusted)


class TrustedProxies:
    """WSGI middleware setting REMOTE_ADDR to the client's address (see the module's docstring)."""

    def __init__(self, app: Callable, trusted: tuple[Network, ...]):
        self.app, self.trusted = app, trusted

    def __call__(self, environ: dict, start_response: Callable):
        peer = environ.get("REMOTE_ADDR")
        environ[PEER_KEY] = peer
        if self.trusted:
            environ["REMOTE_ADDR"] = client_address(peer, environ.get("HTTP_X_FORWARDED_FOR"), self.trusted)
        return self.app(environ, start_response)
