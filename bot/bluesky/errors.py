"""Errors of the Bluesky side, as the engine's transports raise them (`retryable` or not)."""

from __future__ import annotations

from bot.transport import TransportError


class BlueskyError(TransportError):
    """A Bluesky call failed. `retryable`: a rate limit (429, `retry_after` seconds until the
    window resets when Bluesky said), a server error (5xx) or a network failure; not
    retryable: a request Bluesky refuses as such (400 with `error` naming why)."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = True,
        status: int | None = None,
        error: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, retryable=retryable, status=status)
        self.error = error
        self.retry_after = retry_after


class BlueskyLoginError(BlueskyError):
    """The account could not log in: no app password in the environment, or Bluesky refused
    it. Hosts must act (a retry cannot fix it); the message says what to do. It passes once
    the account logs in (fixed and restarted): the posts it failed are tried again then."""

    def __init__(
        self, message: str, *, status: int | None = None, error: str | None = None
    ) -> None:
        super().__init__(message, retryable=False, status=status, error=error)
        self.passes = True
