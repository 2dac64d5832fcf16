"""A fake Bluesky (PDS + AppView over XRPC on 127.0.0.1) for tests; see README.md."""

from .conformance import LexiconViolationError
from .lexicon import Lexicons, Violation
from .server import BOT_HANDLE, BOT_PASSWORD, FakeBluesky
from .state import Account, StoredPost
from .xrpc import XrpcCall

__all__ = [
    "BOT_HANDLE",
    "BOT_PASSWORD",
    "Account",
    "FakeBluesky",
    "LexiconViolationError",
    "Lexicons",
    "StoredPost",
    "Violation",
    "XrpcCall",
]
