"""JSON Schemas (2020-12) of the gateway payloads, written from the field tables of Discord's
developer docs. Each table is transcribed in the docs' own notation, one field per line:
``name?`` is an optional field, ``?type`` a nullable one. Types: ``snowflake``, ``string``,
``integer``, ``number``, ``boolean``, ``timestamp`` (ISO8601), ``any``, ``object`` (any
object: a structure this project does not check field by field), ``[T]`` an array of T,
``{T}`` a map of strings to T, ``A|B`` either, ``@name`` another table below. Every object is
closed: a field the docs do not list is a violation (the fake must not invent payloads).
Each table names its doc page and section (``$comment``).
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

SCALARS: dict[str, Schema] = {
    "snowflake": {"type": "string", "pattern": "^(0|[1-9][0-9]*)$"},
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "timestamp": {"type": "string", "format": "date-time"},
    "any": {},
    "object": {"type": "object"},
    "null": {"type": "null"},
}


def type_schema(text: str) -> Schema:
    """One type in the notation above."""
    text = text.strip()
    if text.startswith("?"):
        return {"anyOf": [{"type": "null"}, type_schema(text[1:])]}
    alternatives = _top_level_split(text)
    if len(alternatives) > 1:
        return {"anyOf": [type_schema(t) for t in alternatives]}
    if text.startswith("[") and text.endswith("]"):
        return {"type": "array", "items": type_schema(text[1:-1])}
    if text.startswith("{") and text.endswith("}"):
        return {"type": "object", "additionalProperties": type_schema(text[1:-1])}
    if text.startswith("@"):
        return {"$ref": f"#/$defs/{text[1:]}"}
    return dict(SCALARS[text])


def _top_level_split(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "[{"
        depth -= ch in "]}"
        if ch == "|" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]


def table(doc: str, rows: str, *, closed: bool = True) -> Schema:
    """An object from a doc table: one ``field[?] type`` per line."""
    properties: dict[str, Schema] = {}
    required: list[str] = []
    for line in filter(None, (r.strip() for r in rows.splitlines())):
        name, kind = line.split(None, 1)
        optional = name.endswith("?")
        name = name.rstrip("?")
        properties[name] = type_schema(kind)
        if not optional:
            required.append(name)
    out: Schema = {"$comment": doc, "type": "object", "properties": properties}
    if required:
        out["required"] = required
    if closed:
        out["additionalProperties"] = False
    return out


def extended(base: Schema, doc: str, rows: str) -> Schema:
    """``base`` with more fields (an event's "extra fields" table)."""
    extra = table(doc, rows)
    return {
        **base,
        "$comment": f"{base['$comment']} + {doc}",
        "properties": {**base["properties"], **extra["properties"]},
        "required": sorted({*base.get("required", []), *extra.get("required", [])}),
    }


USER = table(
    "user.mdx, User Object > User Structure",
    """
    id snowflake
    username string
    discriminator string
    global_name ?string
    avatar ?string
    bot? boolean
    system? boolean
    mfa_enabled? boolean
    banner? ?string
    accent_color? ?integer
    locale? string
    verified? boolean
    email? ?string
    flags? integer
    premium_type? integer
    public_flags? integer
    avatar_decoration_data? ?object
    collectibles? ?object
    primary_guild? ?object
    """,
)
MEMBER = table(
    "guild.mdx, Guild Member Object > Guild Member Structure",
    """
    user? @user
    nick? ?string
    avatar? ?string
    banner? ?string
    roles [snowflake]
    joined_at ?timestamp
    premium_since? ?timestamp
    deaf boolean
    mute boolean
    flags integer
    pending? boolean
    permissions? string
    communication_disabled_until? ?timestamp
    avatar_decoration_data? ?object
    collectibles? ?object
    """,
)
# partial members (in messages, reactions and resolved data) leave out what the docs say
PARTIAL_MEMBER = {**MEMBER, "required": ["roles"]}
ROLE = table(
    "permissions.mdx, Role Object > Role Structure",
    """
    id snowflake
    name string
    color integer
    colors @role_colors
    hoist boolean
    icon? ?string
    unicode_emoji? ?string
    position integer
    permissions string
    managed boolean
    mentionable boolean
    tags? object
    flags integer
    """,
)
ROLE_COLORS = table(
    "permissions.mdx, Role Object > Role Colors Object",
    """
    primary_color integer
    secondary_color ?integer
    tertiary_color ?integer
    """,
)
OVERWRITE = table(
    "channel.mdx, Overwrite Object > Overwrite Structure",
    """
    id snowflake
    type integer
    allow string
    deny string
    """,
)
THREAD_METADATA = table(
    "channel.mdx, Thread Metadata Object > Thread Metadata Structure",
    """
    archived boolean
    auto_archive_duration integer
    archive_timestamp timestamp
    locked boolean
    invitable? boolean
    create_timestamp? ?timestamp
    """,
)
THREAD_MEMBER = table(
    "channel.mdx, Thread Member Object > Thread Member Structure",
    """
    id? snowflake
    user_id? snowflake
    join_timestamp timestamp
    flags integer
    member? @member
    """,
)
CHANNEL = table(
    "channel.mdx, Channel Object > Channel Structure",
    """
    id snowflake
    type integer
    guild_id? snowflake
    position? integer
    permission_overwrites? [@overwrite]
    name? ?string
    topic? ?string
    nsfw? boolean
    last_message_id? ?snowflake
    bitrate? integer
    user_limit? integer
    rate_limit_per_user? integer
    recipients? [@user]
    icon? ?string
    owner_id? snowflake
    application_id? ?snowflake
    managed? boolean
    parent_id? ?snowflake
    last_pin_timestamp? ?timestamp
    rtc_region? ?string
    video_quality_mode? integer
    message_count? integer
    member_count? integer
    thread_metadata? @thread_metadata
    member? @thread_member
    default_auto_archive_duration? integer
    permissions? string
    app_permissions? string
    flags? integer
    total_message_sent? integer
    available_tags? [object]
    applied_tags? [snowflake]
    default_reaction_emoji? ?object
    default_thread_rate_limit_per_user? integer
    default_sort_order? ?integer
    default_forum_layout? integer
    """,
)
EMOJI = table(
    "emoji.mdx, Emoji Object (partial, as in reactions: id, name, animated)",
    """
    id ?snowflake
    name ?string
    animated? boolean
    """,
)
ATTACHMENT = table(
    "message.mdx, Attachment Object > Attachment Structure",
    """
    id snowflake
    filename string
    title? string
    description? string
    content_type? string
    size integer
    url string
    proxy_url string
    height? ?integer
    width? ?integer
    placeholder? string
    placeholder_version? integer
    ephemeral? boolean
    duration_secs? number
    waveform? string
    flags? integer
    clip_participants? [@user]
    clip_created_at? timestamp
    application? ?object
    """,
)
EMBED = table(
    "message.mdx, Embed Object > Embed Structure",
    """
    title? string
    type? string
    description? string
    url? string
    timestamp? timestamp
    color? integer
    footer? @embed_footer
    image? object
    thumbnail? object
    video? object
    provider? object
    author? @embed_author
    fields? [@embed_field]
    flags? integer
    """,
)
EMBED_FOOTER = table(
    "message.mdx, Embed Object > Embed Footer Structure",
    """
    text string
    icon_url? string
    proxy_icon_url? string
    """,
)
EMBED_AUTHOR = table(
    "message.mdx, Embed Object > Embed Author Structure",
    """
    name string
    url? string
    icon_url? string
    proxy_icon_url? string
    """,
)
EMBED_FIELD = table(
    "message.mdx, Embed Object > Embed Field Structure",
    """
    name string
    value string
    inline? boolean
    """,
)
REACTION = table(
    "message.mdx, Reaction Object > Reaction Structure",
    """
    count integer
    count_details @reaction_count_details
    me boolean
    me_burst boolean
    emoji @emoji
    burst_colors [string]
    """,
)
REACTION_COUNT_DETAILS = table(
    "message.mdx, Reaction Object > Reaction Count Details Structure",
    """
    burst integer
    normal integer
    """,
)
MESSAGE_REFERENCE = table(
    "message.mdx, Message Reference Structure",
    """
    type? integer
    message_id? snowflake
    channel_id? snowflake
    guild_id? snowflake
    fail_if_not_exists? boolean
    """,
)
_METADATA_COMMON = """
    id snowflake
    type integer
    user @user
    authorizing_integration_owners {snowflake}
    original_response_message_id? snowflake
"""
COMMAND_METADATA = table(
    "message.mdx, Application Command Interaction Metadata Structure",
    _METADATA_COMMON
    + """
    target_user? @user
    target_message_id? snowflake
    """,
)
COMPONENT_METADATA = table(
    "message.mdx, Message Component Interaction Metadata Structure",
    _METADATA_COMMON + "\ninteracted_message_id snowflake",
)
MODAL_METADATA = table(
    "message.mdx, Modal Submit Interaction Metadata Structure",
    _METADATA_COMMON + "\ntriggering_interaction_metadata @command_metadata|@component_metadata",
)
MESSAGE = table(
    "message.mdx, Message Object > Message Structure",
    """
    id snowflake
    channel_id snowflake
    author @user
    content string
    timestamp timestamp
    edited_timestamp ?timestamp
    tts boolean
    mention_everyone boolean
    mentions [@user]
    mention_roles [snowflake]
    mention_channels? [object]
    attachments [@attachment]
    embeds [@embed]
    reactions? [@reaction]
    nonce? integer|string
    pinned boolean
    webhook_id? snowflake
    type integer
    activity? object
    application? object
    application_id? snowflake
    flags? integer
    message_reference? @message_reference
    message_snapshots? [object]
    referenced_message? ?@message
    interaction_metadata? @command_metadata|@component_metadata|@modal_metadata
    interaction? object
    thread? @channel
    components? [object]
    sticker_items? [object]
    stickers? [object]
    position? integer
    role_subscription_data? object
    resolved? @resolved
    poll? object
    call? object
    shared_client_theme? object
    """,
)
# REST message objects carry guild_id too; the docs' table does not list it (see the doc list)
MESSAGE["properties"]["guild_id"] = type_schema("snowflake")
GUILD = table(
    "guild.mdx, Guild Object > Guild Structure",
    """
    id snowflake
    name string
    icon ?string
    icon_hash? ?string
    splash ?string
    discovery_splash ?string
    owner? boolean
    owner_id snowflake
    permissions? string
    region? ?string
    afk_channel_id ?snowflake
    afk_timeout integer
    widget_enabled? boolean
    widget_channel_id? ?snowflake
    verification_level integer
    default_message_notifications integer
    explicit_content_filter integer
    roles [@role]
    emojis [object]
    features [string]
    mfa_level integer
    application_id ?snowflake
    system_channel_id ?snowflake
    system_channel_flags integer
    rules_channel_id ?snowflake
    max_presences? ?integer
    max_members? integer
    vanity_url_code ?string
    description ?string
    banner ?string
    premium_tier integer
    premium_subscription_count? integer
    preferred_locale string
    public_updates_channel_id ?snowflake
    max_video_channel_users? integer
    max_stage_video_channel_users? integer
    approximate_member_count? integer
    approximate_presence_count? integer
    welcome_screen? object
    nsfw_level integer
    stickers? [object]
    premium_progress_bar_enabled boolean
    safety_alerts_channel_id ?snowflake
    incidents_data ?object
    """,
)
UNAVAILABLE_GUILD = table(
    "guild.mdx, Unavailable Guild Object (example: id, unavailable)",
    """
    id snowflake
    unavailable boolean
    """,
)
SCHEDULED_EVENT = table(
    "guild-scheduled-event.mdx, Guild Scheduled Event Object > Guild Scheduled Event Structure",
    """
    id snowflake
    guild_id snowflake
    channel_id ?snowflake
    creator_id? ?snowflake
    name string
    description? ?string
    scheduled_start_time timestamp
    scheduled_end_time ?timestamp
    privacy_level integer
    status integer
    entity_type integer
    entity_id ?snowflake
    entity_metadata ?@entity_metadata
    creator? @user
    user_count? integer
    image? ?string
    recurrence_rule ?object
    """,
)
ENTITY_METADATA = table(
    "guild-scheduled-event.mdx, Guild Scheduled Event Entity Metadata",
    "location? string",
)
INTERACTION = table(
    "receiving-and-responding.mdx, Interaction Object > Interaction Structure",
    """
    id snowflake
    application_id snowflake
    type integer
    data? @command_data|@component_data|@modal_data
    guild? object
    guild_id? snowflake
    channel? @channel
    channel_id? snowflake
    member? @member
    user? @user
    token string
    version integer
    message? @message
    app_permissions string
    locale? string
    guild_locale? string
    entitlements [object]
    authorizing_integration_owners {snowflake}
    context? integer
    attachment_size_limit integer
    """,
)
COMMAND_DATA = table(
    "receiving-and-responding.mdx, Application Command Data Structure",
    """
    id snowflake
    name string
    type integer
    resolved? @resolved
    options? [@option]
    guild_id? snowflake
    target_id? snowflake
    """,
)
COMPONENT_DATA = table(
    "receiving-and-responding.mdx, Message Component Data Structure",
    """
    custom_id string
    component_type integer
    values? [string]
    resolved? @resolved
    """,
)
MODAL_DATA = table(
    "receiving-and-responding.mdx, Modal Submit Data Structure",
    """
    custom_id string
    components [object]
    resolved? @resolved
    """,
)
OPTION = table(
    "receiving-and-responding.mdx, Application Command Interaction Data Option Structure",
    """
    name string
    type integer
    value? string|integer|number|boolean
    options? [@option]
    focused? boolean
    """,
)
RESOLVED = table(
    "receiving-and-responding.mdx, Resolved Data Structure",
    """
    users? {@user}
    members? {@partial_member}
    roles? {@role}
    channels? {@channel}
    messages? {@message}
    attachments? {@attachment}
    """,
)

DEFS: dict[str, Schema] = {
    "user": USER,
    "member": MEMBER,
    "partial_member": PARTIAL_MEMBER,
    "role": ROLE,
    "role_colors": ROLE_COLORS,
    "overwrite": OVERWRITE,
    "thread_metadata": THREAD_METADATA,
    "thread_member": THREAD_MEMBER,
    "channel": CHANNEL,
    "emoji": EMOJI,
    "attachment": ATTACHMENT,
    "embed": EMBED,
    "embed_footer": EMBED_FOOTER,
    "embed_author": EMBED_AUTHOR,
    "embed_field": EMBED_FIELD,
    "reaction": REACTION,
    "reaction_count_details": REACTION_COUNT_DETAILS,
    "message_reference": MESSAGE_REFERENCE,
    "command_metadata": COMMAND_METADATA,
    "component_metadata": COMPONENT_METADATA,
    "modal_metadata": MODAL_METADATA,
    "message": MESSAGE,
    "guild": GUILD,
    "unavailable_guild": UNAVAILABLE_GUILD,
    "scheduled_event": SCHEDULED_EVENT,
    "entity_metadata": ENTITY_METADATA,
    "interaction": INTERACTION,
    "command_data": COMMAND_DATA,
    "component_data": COMPONENT_DATA,
    "modal_data": MODAL_DATA,
    "option": OPTION,
    "resolved": RESOLVED,
}

# --- dispatches (op 0): the "d" of each event the fake sends --------------------------------

EVENTS = "gateway-events.mdx, "
MENTION = {
    **USER,
    "properties": {**USER["properties"], "member": {"$ref": "#/$defs/partial_member"}},
}
MESSAGE_EVENT = extended(
    MESSAGE,
    EVENTS + "Message Create > Message Create Extra Fields",
    """
    guild_id? snowflake
    member? @partial_member
    mentions [@mention]
    channel_type? integer
    """,
)
REACTION_REMOVE = table(
    EVENTS + "Message Reaction Remove > Message Reaction Remove Event Fields",
    """
    user_id snowflake
    channel_id snowflake
    message_id snowflake
    guild_id? snowflake
    emoji @emoji
    burst boolean
    type integer
    """,
)
DISPATCHES: dict[str, Schema] = {
    "READY": table(
        EVENTS + "Ready > Ready Event Fields",
        """
        v integer
        user @user
        guilds [@unavailable_guild]
        session_id string
        resume_gateway_url string
        shard? [integer]
        application @ready_application
        """,
    ),
    "RESUMED": {"$comment": EVENTS + "Resumed (no fields)", "type": "object", "maxProperties": 0},
    "GUILD_CREATE": extended(
        GUILD,
        EVENTS + "Guild Create > Guild Create Extra Fields",
        """
        joined_at timestamp
        large boolean
        unavailable? boolean
        member_count integer
        voice_states [object]
        members [@member]
        channels [@channel]
        threads [@channel]
        presences [object]
        stage_instances [object]
        guild_scheduled_events [@scheduled_event]
        soundboard_sounds [object]
        """,
    ),
    "GUILD_ROLE_CREATE": table(
        EVENTS + "Guild Role Create > Guild Role Create Event Fields",
        """
        guild_id snowflake
        role @role
        """,
    ),
    "GUILD_MEMBER_ADD": extended(
        MEMBER, EVENTS + "Guild Member Add > Guild Member Add Extra Fields", "guild_id snowflake"
    ),
    "GUILD_MEMBER_UPDATE": table(
        EVENTS + "Guild Member Update > Guild Member Update Event Fields",
        """
        guild_id snowflake
        roles [snowflake]
        user @user
        nick? ?string
        avatar ?string
        banner ?string
        joined_at ?timestamp
        premium_since? ?timestamp
        deaf? boolean
        mute? boolean
        pending? boolean
        communication_disabled_until? ?timestamp
        avatar_decoration_data? ?object
        collectibles? ?object
        flags? integer
        """,
    ),
    "GUILD_MEMBERS_CHUNK": table(
        EVENTS + "Guild Members Chunk > Guild Members Chunk Event Fields",
        """
        guild_id snowflake
        members [@member]
        chunk_index integer
        chunk_count integer
        not_found? [any]
        presences? [object]
        nonce? string
        """,
    ),
    "CHANNEL_CREATE": {**CHANNEL, "$comment": EVENTS + "Channel Create: a channel object"},
    "CHANNEL_UPDATE": {**CHANNEL, "$comment": EVENTS + "Channel Update: a channel object"},
    "THREAD_CREATE": extended(
        CHANNEL,
        EVENTS + "Thread Create: a channel object + newly_created",
        "newly_created? boolean",
    ),
    "CHANNEL_DELETE": {**CHANNEL, "$comment": EVENTS + "Channel Delete: a channel object"},
    "THREAD_UPDATE": {**CHANNEL, "$comment": EVENTS + "Thread Update: a channel object"},
    "THREAD_DELETE": table(
        EVENTS + "Thread Delete: the channel object's id, guild_id, parent_id and type",
        """
        id snowflake
        guild_id snowflake
        parent_id snowflake
        type integer
        """,
    ),
    "CHANNEL_PINS_UPDATE": table(
        EVENTS + "Channel Pins Update > Channel Pins Update Event Fields",
        """
        guild_id? snowflake
        channel_id snowflake
        last_pin_timestamp? ?timestamp
        """,
    ),
    "MESSAGE_CREATE": MESSAGE_EVENT,
    "MESSAGE_UPDATE": {**MESSAGE_EVENT, "$comment": EVENTS + "Message Update: as Message Create"},
    "MESSAGE_DELETE": table(
        EVENTS + "Message Delete > Message Delete Event Fields",
        """
        id snowflake
        channel_id snowflake
        guild_id? snowflake
        """,
    ),
    "MESSAGE_DELETE_BULK": table(
        EVENTS + "Message Delete Bulk > Message Delete Bulk Event Fields",
        """
        ids [snowflake]
        channel_id snowflake
        guild_id? snowflake
        """,
    ),
    "MESSAGE_REACTION_ADD": table(
        EVENTS + "Message Reaction Add > Message Reaction Add Event Fields",
        """
        user_id snowflake
        channel_id snowflake
        message_id snowflake
        guild_id? snowflake
        member? @member
        emoji @emoji
        message_author_id? snowflake
        burst boolean
        burst_colors? [string]
        type integer
        """,
    ),
    "MESSAGE_REACTION_REMOVE": REACTION_REMOVE,
    "INTERACTION_CREATE": {**INTERACTION, "$comment": EVENTS + "Interaction Create"},
    "GUILD_SCHEDULED_EVENT_CREATE": {**SCHEDULED_EVENT, "$comment": EVENTS + "GSE Create"},
    "GUILD_SCHEDULED_EVENT_UPDATE": {**SCHEDULED_EVENT, "$comment": EVENTS + "GSE Update"},
    "GUILD_SCHEDULED_EVENT_DELETE": {**SCHEDULED_EVENT, "$comment": EVENTS + "GSE Delete"},
}
DEFS["mention"] = MENTION
DEFS["ready_application"] = table(
    EVENTS + "Ready: partial application object (contains id and flags)",
    """
    id snowflake
    flags integer
    """,
)

# --- opcodes: what each side sends (a client's ids may be integers: see the doc list)  (opcodes-and-status-codes.mdx, Gateway Opcodes) -----------

PAYLOAD = "gateway-events.mdx, Payload Structure"
SERVER_OPS: dict[int, Schema] = {
    # "s and t are null when op is not 0"
    1: {"$comment": "gateway.mdx, Heartbeat Requests", "type": ["integer", "null"]},
    7: {"$comment": EVENTS + "Reconnect", "type": "null"},
    9: {"$comment": EVENTS + "Invalid Session: d says whether resumable", "type": "boolean"},
    10: table(EVENTS + "Hello > Hello Structure", "heartbeat_interval integer"),
    11: {"$comment": "gateway.mdx, Heartbeat Interval (ACK)", "type": "null"},
}
CLIENT_OPS: dict[int, Schema] = {
    1: {"$comment": EVENTS + "Heartbeat: the last sequence number", "type": ["integer", "null"]},
    2: table(
        EVENTS + "Identify > Identify Structure",
        """
        token string
        properties @identify_properties
        compress? boolean
        large_threshold? integer
        shard? [integer]
        presence? object
        intents integer
        """,
    ),
    3: table(
        EVENTS + "Update Presence > Gateway Presence Update Structure",
        """
        since ?integer
        activities [object]
        status string
        afk boolean
        """,
    ),
    6: table(
        EVENTS + "Resume > Resume Structure",
        """
        token string
        session_id string
        seq integer
        """,
    ),
    8: table(
        EVENTS + "Request Guild Members > Request Guild Members Structure",
        """
        guild_id snowflake|integer
        query? string
        limit integer
        presences? boolean
        user_ids? snowflake|integer|[snowflake|integer]
        nonce? string
        """,
    ),
}
DEFS["identify_properties"] = table(
    EVENTS + "Identify > Identify Connection Properties",
    """
    os string
    browser string
    device string
    """,
)
# opcodes-and-status-codes.mdx, Gateway Close Event Codes (and 1000/1001: a normal close)
CLOSE_CODES = {1000, 1001, *range(4000, 4005), *range(4007, 4015)}
