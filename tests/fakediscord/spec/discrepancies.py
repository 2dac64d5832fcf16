"""Where Discord's OpenAPI description and its developer docs disagree. Discord says the docs
win, so each difference that matters to this project is patched into the spec at load time,
with the doc section and the reason. ``docs/discord-conformance.md`` lists them for readers."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

SCHEMAS = "/components/schemas/"
SNOWFLAKE = {"type": "string", "pattern": "^(0|[1-9][0-9]*)$", "format": "snowflake"}


@dataclass(frozen=True)
class Discrepancy:
    #: JSON pointer into openapi.json (without ``#``); the value there is replaced
    where: str
    #: the value the docs call for
    value: Any
    #: the doc section and why
    reason: str


def _content_2000(schema: str) -> Discrepancy:
    return Discrepancy(
        f"{SCHEMAS}{schema}/properties/content/maxLength",
        2000,
        "message.mdx, Create Message / Edit Message params: content is 'up to 2000 characters' "
        "for bots (the spec's 4000 is the Nitro client limit)",
    )


EVENT_REQUIRED = [
    "id",
    "guild_id",
    "channel_id",
    "name",
    "scheduled_start_time",
    "scheduled_end_time",
    "privacy_level",
    "status",
    "entity_type",
    "entity_id",
    "entity_metadata",
    "recurrence_rule",
]


def _event_required(schema: str) -> Discrepancy:
    return Discrepancy(
        f"{SCHEMAS}{schema}/required",
        EVENT_REQUIRED,
        "guild-scheduled-event.mdx, Guild Scheduled Event Structure: description?, creator_id?"
        " and image? are optional and guild_scheduled_event_exceptions is not a field; the "
        "spec requires all four",
    )


DISCREPANCIES: tuple[Discrepancy, ...] = (
    _content_2000("MessageCreateRequest"),
    _content_2000("MessageEditRequestPartial"),
    _content_2000("BaseCreateMessageCreateRequest"),
    Discrepancy(
        f"{SCHEMAS}UserResponse/required",
        ["id", "username", "discriminator", "global_name", "avatar"],
        "user.mdx, User Object: public_flags?, flags? and primary_guild? are optional; the spec "
        "requires them",
    ),
    _event_required("ExternalScheduledEventResponse"),
    _event_required("StageScheduledEventResponse"),
    _event_required("VoiceScheduledEventResponse"),
    Discrepancy(
        f"{SCHEMAS}InnerErrors/properties/_errors/items",
        {
            "type": "object",
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            "required": ["code", "message"],
        },
        "opcodes-and-status-codes.mdx, Example JSON Error Response: the codes inside an "
        "'errors' tree are strings (BASE_TYPE_REQUIRED...); the spec types them as integers",
    ),
    Discrepancy(
        f"{SCHEMAS}MessageAttachmentRequest/properties/id",
        {"oneOf": [SNOWFLAKE, {"type": "integer", "minimum": 0}]},
        "message.mdx, Attachment Request Structure: id is 'snowflake or number' (the n of "
        "files[n] for a new upload); the spec allows a snowflake string only",
    ),
)

#: discrepancies that are not a value to patch, in the order the doc lists them
NOTES: tuple[tuple[str, str], ...] = (
    (
        "request snowflakes",
        "The docs type ids in request bodies as 'snowflake' and only promise that responses "
        "carry them as strings; Discord accepts integers in requests and discord.py sends "
        "them (recipient_id, message_reference.message_id, allowed_mentions ids). Requests "
        "accept an integer wherever the spec has SnowflakeType; responses stay strings only.",
    ),
    (
        "boolean query strings",
        "reference docs, Boolean Query Strings: True/true/1 and False/false/0 are booleans "
        "(discord.py sends with_response=1, with_counts=1); the spec types them as JSON booleans.",
    ),
    (
        "server errors",
        "opcodes-and-status-codes.mdx, HTTP Response Codes: 5xx answers exist (and the fake can "
        "inject them); the spec describes none, so 5xx answers are not validated.",
    ),
)


def _set(spec: dict[str, Any], where: str, value: Any) -> None:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in where.strip("/").split("/")]
    node = spec
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


def patch_spec(spec: dict[str, Any]) -> None:
    for d in DISCREPANCIES:
        _set(spec, d.where, copy.deepcopy(d.value))


def request_components(components: dict[str, Any]) -> dict[str, Any]:
    """The components as requests see them: a snowflake may be an integer too."""
    relaxed = copy.deepcopy(components)
    relaxed["schemas"]["SnowflakeType"] = {"oneOf": [SNOWFLAKE, {"type": "integer", "minimum": 0}]}
    return relaxed
