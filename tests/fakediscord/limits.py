"""Discord's message limits, enforced with its 400 ``Invalid Form Body`` error shape."""

from __future__ import annotations

from typing import Any

from .errors import DiscordError, field_error, invalid_form_body

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_EMBED_TOTAL = 6000
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER = 2048
MAX_AUTHOR = 256
MAX_NONCE = 25
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024  # per file (the attachment_size_limit we advertise)
MAX_REQUEST_BYTES = 25 * 1024 * 1024  # a whole message request


def _too_long(limit: int) -> dict[str, Any]:
    return field_error("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def embed_size(embed: dict[str, Any]) -> int:
    """Characters counted toward the 6000 limit (title, description, fields, footer, author)."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    for f in embed.get("fields") or []:
        total += len(f.get("name") or "") + len(f.get("value") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    return total


def _embed_errors(embed: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    for key, limit in (("title", MAX_TITLE), ("description", MAX_DESCRIPTION)):
        if len(embed.get(key) or "") > limit:
            errors[key] = _too_long(limit)
    fields = embed.get("fields") or []
    if len(fields) > MAX_FIELDS:
        errors["fields"] = _too_long(MAX_FIELDS)
    else:
        field_errors: dict[str, Any] = {}
        for i, f in enumerate(fields):
            one: dict[str, Any] = {}
            for key, limit in (("name", MAX_FIELD_NAME), ("value", MAX_FIELD_VALUE)):
                value = f.get(key)
                if not value:
                    one[key] = field_error("BASE_TYPE_REQUIRED", "This field is required")
                elif len(value) > limit:
                    one[key] = _too_long(limit)
            if one:
                field_errors[str(i)] = one
        if field_errors:
            errors["fields"] = field_errors
    if len((embed.get("footer") or {}).get("text") or "") > MAX_FOOTER:
        errors["footer"] = {"text": _too_long(MAX_FOOTER)}
    if len((embed.get("author") or {}).get("name") or "") > MAX_AUTHOR:
        errors["author"] = {"name": _too_long(MAX_AUTHOR)}
    return errors


def validate_message(
    payload: dict[str, Any], *, new_files: int = 0, require_body: bool = True
) -> None:
    """Raise ``DiscordError`` (400) if ``payload`` breaks a message limit.

    ``require_body``: creating a message needs content, an embed, a file, components, stickers
    or a poll (Discord's 50006 "Cannot send an empty message").
    """
    errors: dict[str, Any] = {}
    content = payload.get("content")
    if content is not None and len(str(content)) > MAX_CONTENT:
        errors["content"] = _too_long(MAX_CONTENT)
    embeds = payload.get("embeds") or []
    if len(embeds) > MAX_EMBEDS:
        errors["embeds"] = _too_long(MAX_EMBEDS)
    else:
        per_embed = {str(i): e for i, emb in enumerate(embeds) if (e := _embed_errors(emb))}
        if per_embed:
            errors["embeds"] = per_embed
        elif sum(embed_size(e) for e in embeds) > MAX_EMBED_TOTAL:
            errors["embeds"] = field_error(
                "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL}"
            )
    nonce = payload.get("nonce")
    if isinstance(nonce, str) and len(nonce) > MAX_NONCE:
        errors["nonce"] = _too_long(MAX_NONCE)
    if errors:
        raise invalid_form_body(errors)
    if require_body and not (
        content
        or embeds
        or new_files
        or payload.get("components")
        or payload.get("sticker_ids")
        or payload.get("poll")
    ):
        raise DiscordError(400, 50006, "Cannot send an empty message")
