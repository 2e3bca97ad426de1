"""The client's address, behind a reverse proxy only when that proxy is trusted.

`request.remote` is the proxy's address when the web app runs behind nginx or HAProxy:
limits per address (the console's login) would then count every visitor as one. The
address comes from `X-Forwarded-For` only when the request comes from a proxy listed in
`WEB_TRUSTED_PROXIES` (addresses or networks, e.g. `127.0.0.1 10.0.0.0/8`); the client is
then the right-most address of that header that is not itself a trusted proxy (the ones
to its left were written by the client and prove nothing). Otherwise the header is
ignored: anyone can send one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from aiohttp import web

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """`WEB_TRUSTED_PROXIES`: addresses or networks separated by spaces or commas."""
    try:
        return tuple(ipaddress.ip_network(part, strict=False)
                     for part in text.replace(",", " ").split())
    except ValueError as exc:
        raise ValueError(f"WEB_TRUSTED_PROXIES invalide : {exc}") from None


def _trusted(address: str, proxies: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(request: web.Request, proxies: tuple[Network, ...]) -> str:
    remote = request.remote or ""
    if not proxies or not _trusted(remote, proxies):
        return remote
    chain = [a.strip() for h in request.headers.getall("X-Forwarded-For", [])
             for a in h.split(",") if a.strip()]
    for address in reversed(chain):
        if not _trusted(address, proxies):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote  # not an address: the proxy did not write it
    return remote
