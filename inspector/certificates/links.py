"""Verify links: what a QR carries when HQ configured a verify URL."""

from __future__ import annotations


def compact_link(url: str) -> str:
    """``url`` with scheme and host in upper case (both are case-insensitive), so that a QR code
    can carry it in alphanumeric mode when the path allows; the path is kept as it is."""
    scheme, sep, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme.upper()}{sep}{host.upper()}{slash}{path}"


def link_text(verify_url: str | None, payload: str) -> str:
    return f"{compact_link(verify_url)}#{payload}" if verify_url else payload
