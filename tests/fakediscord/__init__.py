"""A fake Discord server (REST + gateway + control API) for testing discord.py bots.

See README.md in this directory.
"""

from .discord_client import FAST_CLIENT_OPTIONS, running, skip_identify_delay
from .errors import DiscordError
from .faults import FaultRule
from .gateway import Intent
from .model import ChannelType, Message, Overwrite, Perm
from .records import (
    AttachmentRecord,
    ChannelUpdateRecord,
    CommandSyncRecord,
    DeleteRecord,
    EditRecord,
    GatewayRecord,
    InteractionResponseRecord,
    MemberUpdateRecord,
    PinRecord,
    PostRecord,
    ReactionRecord,
    Record,
    RequestRecord,
    ScheduledEventRecord,
    ThreadRecord,
)
from .server import DEFAULT_TOKEN, FakeDiscord, configure_discord_py, restore_discord_py
from .setup_api import GuildHandle
from .state import Interaction

__all__ = [
    "DEFAULT_TOKEN",
    "FAST_CLIENT_OPTIONS",
    "AttachmentRecord",
    "ChannelType",
    "ChannelUpdateRecord",
    "CommandSyncRecord",
    "DeleteRecord",
    "DiscordError",
    "EditRecord",
    "FakeDiscord",
    "FaultRule",
    "GatewayRecord",
    "GuildHandle",
    "Intent",
    "Interaction",
    "InteractionResponseRecord",
    "MemberUpdateRecord",
    "Message",
    "Overwrite",
    "Perm",
    "PinRecord",
    "PostRecord",
    "ReactionRecord",
    "Record",
    "RequestRecord",
    "ScheduledEventRecord",
    "ThreadRecord",
    "configure_discord_py",
    "restore_discord_py",
    "running",
    "skip_identify_delay",
]
