"""Logging for every command: readable text or JSON lines, and secrets never written out.

Hosts paste logs into chats and issues, and hosted platforms ship them to third parties, so a
filter on the root handlers redacts the bot token (the DISCORD_TOKEN value, and anything shaped
like a Discord token) and webhook URLs from every record: message, arguments, traceback and
stack. At DEBUG, discord.py and aiosqlite log whole payloads (gateway events, request bodies,
SQL parameters): members' words and the ids of members being forgotten. The same filter
withholds those arguments, so `--log-level DEBUG` is safe to share too. discord.py's loggers propagate to the root, so they are covered as long as discord.py is
not given a handler of its own (start the client with `log_handler=None`).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import UTC, datetime
from typing import Literal, TextIO

TEXT_FORMAT = "[{asctime}] [{levelname:<8}] {name}: {message}"  # discord.py's own layout
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
REDACTED = "[redacted]"

WEBHOOK_URL = re.compile(
    r"https?://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api(?:/v\d+)?/webhooks/[^\s'\"<>]+",
    re.IGNORECASE,
)
# Any host (a proxy, a test server): the id/token pair is the secret, not the domain.
WEBHOOK_PATH = re.compile(r"(/webhooks/\d+/)[A-Za-z0-9_.-]+")
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{20,}")


# Libraries whose DEBUG lines carry payloads as arguments ("WebSocket Event: %s" and the like).
PAYLOAD_LOGGERS = ("discord", "aiosqlite", "aiohttp", "websockets")
WITHHELD = "[content withheld]"
_PLAIN = (int, float, bool, type(None))


def _withheld(value: object) -> object:
    """Numbers and short plain words stay (ids of channels, HTTP methods, URLs); payloads go."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, str) and len(value) <= 300 and not value.lstrip().startswith(("{", "[")):
        return value if " " not in value else WITHHELD  # a URL or a name, not a sentence
    return WITHHELD


def withhold_payloads(record: logging.LogRecord) -> None:
    """Replace the payload arguments of a library's DEBUG record (see the module docstring)."""
    if record.levelno > logging.DEBUG or not record.args:
        return
    if record.name.split(".")[0] not in PAYLOAD_LOGGERS:
        return
    if isinstance(record.args, tuple):
        record.args = tuple(_withheld(a) for a in record.args)
    else:
        record.args = {k: _withheld(v) for k, v in record.args.items()}


class RedactSecrets(logging.Filter):
    """Rewrites each record in place so that no handler after it can print a secret."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        # Short values would blank out ordinary words; real tokens are ~70 characters.
        self.secrets = sorted({s for s in secrets or [] if len(s) >= 8}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        text = WEBHOOK_URL.sub("https://discord.com/api/webhooks/" + REDACTED, text)
        text = WEBHOOK_PATH.sub(r"\g<1>" + REDACTED, text)
        return TOKEN_SHAPE.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        withhold_payloads(record)
        try:
            message = record.getMessage()
        except Exception:  # bad arguments: the handler would echo them raw in its error report
            message = f"{record.msg!r} (log call with mismatched arguments)"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class _Handler(logging.StreamHandler[TextIO]):
    """Ours, so that a second `setup_logging` replaces it instead of doubling every line."""


class _StderrHandler(_Handler):
    """Writes to whatever `sys.stderr` is when a record comes (tests swap and close it)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


class JsonLines(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, and exc/stack when present."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


def token_values(token: str | None) -> list[str]:
    """The token (argument, else DISCORD_TOKEN) as it may appear in text, with and without "Bot "."""
    value = (token if token is not None else os.environ.get("DISCORD_TOKEN", "")).strip()
    return [value, value.removeprefix("Bot ").strip()] if value else []


def setup_logging(
    level: str | int = "INFO",
    fmt: Literal["text", "json"] = "text",
    *,
    stream: TextIO | None = None,
    token: str | None = None,
) -> logging.Handler:
    """Configure the root logger once per process (calling again replaces our handler).

    `token` defaults to the DISCORD_TOKEN environment variable. The redaction filter goes on
    every root handler, ours and any already there."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
    handler = _Handler(stream) if stream is not None else _StderrHandler()
    handler.setFormatter(
        JsonLines() if fmt == "json" else logging.Formatter(TEXT_FORMAT, DATE_FORMAT, style="{")
    )
    root.addHandler(handler)
    root.setLevel(level)
    # APScheduler logs every job it adds and runs at INFO; hosts want the bot's own lines.
    quiet = logging.getLevelName(level) if isinstance(level, int) else level.upper()
    logging.getLogger("apscheduler").setLevel(
        logging.NOTSET if quiet == "DEBUG" else logging.WARNING
    )
    redact = RedactSecrets(token_values(token))
    for h in root.handlers:
        for stale in [f for f in h.filters if isinstance(f, RedactSecrets)]:
            h.removeFilter(stale)
        h.addFilter(redact)
    logging.captureWarnings(True)
    return handler
