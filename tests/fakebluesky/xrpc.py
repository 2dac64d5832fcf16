"""What every XRPC handler of the fake shares: the call it is given and the errors it raises."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .state import Account, World


class XrpcError(Exception):
    """An XRPC error answer: HTTP status and `{"error": name, "message": message}`."""

    def __init__(
        self, status: int, error: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {error}: {message}")
        self.status, self.error, self.message = status, error, message
        self.headers = dict(headers or {})

    def body(self) -> dict[str, str]:
        return {"error": self.error, "message": self.message}


@dataclass
class Call:
    """One request as a handler sees it: the method, the query (each name with all its values),
    the JSON body, and the authenticated account (None for createSession)."""

    nsid: str
    query: Mapping[str, list[str]]
    body: Any
    world: World
    base_url: str
    account: Account | None = None
    bearer: str | None = None

    def one(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def integer(self, name: str, default: int) -> int:
        value = self.one(name)
        return int(value) if value is not None else default

    def flag(self, name: str) -> bool:
        return self.one(name) == "true"

    @property
    def me(self) -> Account:
        assert self.account is not None, "handler of an authenticated method"
        return self.account

    def own_repo(self, repo: str) -> Account:
        """The repo of a write must be the caller's own (by DID or handle)."""
        if repo not in (self.me.did, self.me.handle):
            raise XrpcError(400, "InvalidRequest", f"repo {repo} is not the authenticated account")
        return self.me


Handler = Callable[[Call], Awaitable[Any]]


@dataclass(frozen=True)
class Method:
    """A served XRPC method: its handler and which token it needs."""

    handler: Handler
    auth: str = "access"  # access | refresh | none


@dataclass
class XrpcCall:
    """A request the fake answered (faults included), as recorded for tests to read back."""

    nsid: str
    http_method: str
    query: dict[str, list[str]]
    body: Any
    status: int
    response: Any
    did: str | None
    at: datetime
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def error(self) -> str | None:
        return (
            self.response.get("error")
            if self.status >= 400 and isinstance(self.response, dict)
            else None
        )
