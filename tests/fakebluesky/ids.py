"""Identifiers the fake hands out the way the real services shape them: DIDs (did:plc), record
keys (TIDs), content ids (CIDv1 of the record), and session tokens (JWTs the SDK can read)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime
from typing import Any

_B32_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz"
_SECRET = secrets.token_bytes(16)


def did_for(handle: str) -> str:
    """A stable did:plc for a handle (24 base32 characters, like real PLC identifiers)."""
    digest = hashlib.sha256(handle.encode()).digest()
    return "did:plc:" + base64.b32encode(digest).decode().lower()[:24]


class TidClock:
    """Record keys: 13-character TIDs (53-bit microseconds + 10-bit clock id), always rising."""

    def __init__(self, clock_id: int = 7) -> None:
        self._last = 0
        self._clock_id = clock_id & 0x3FF

    def next(self, when: datetime) -> str:
        micros = max(int(when.timestamp() * 1_000_000), self._last + 1)
        self._last = micros
        value = (micros << 10) | self._clock_id
        out = []
        for _ in range(13):
            out.append(_B32_SORTABLE[value & 31])
            value >>= 5
        return "".join(reversed(out))


def cid_of(data: Any) -> str:
    """A CIDv1 (dag-cbor, sha2-256, base32 `bafyrei…`) over the record's canonical JSON."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).digest()
    raw = bytes([0x01, 0x71, 0x12, 0x20]) + digest
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def make_jwt(payload: dict[str, Any]) -> str:
    """An HS256 JWT signed with this process's secret (the SDK reads `exp` from it to decide
    when to refresh; the fake checks the signature)."""
    head = _b64url(json.dumps({"typ": "at+jwt", "alg": "HS256"}).encode())
    body = _b64url(json.dumps(payload).encode())
    sig = hmac.new(_SECRET, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64url(sig)}"


def read_jwt(token: str) -> dict[str, Any] | None:
    """The payload of a token this fake signed, or None (forged, truncated, not a JWT)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    head, body, sig = parts
    good = _b64url(hmac.new(_SECRET, f"{head}.{body}".encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(good, sig):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None
