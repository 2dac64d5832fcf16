"""Operations shared by the REST API (the bot acting) and the control API (members acting):
create/edit/delete messages, reactions, threads, each stored and dispatched on the gateway."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from .gateway import Gateway, Intent
from .http_util import UploadedFile
from .ids import iso
from .model import Attachment, Channel, ChannelType, Message
from .payloads import channel_json, emoji_json, member_json, message_json
from .records import AttachmentRecord
from .state import FakeState

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")


def rich(embeds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Embeds as Discord answers them: a bot's embeds are of type ``rich``."""
    return [{"type": "rich", **e} for e in embeds]


def numbered(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Components as Discord stores them: each gets a sequential ``id`` unless it has one, and
    an emoji without an id (unicode) loses the ``null`` id (component reference docs)."""
    counter = iter(range(1, 10_000))

    def walk(comp: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in comp.items() if v is not None}
        out.setdefault("id", next(counter))
        if isinstance(out.get("emoji"), dict):
            out["emoji"] = {k: v for k, v in out["emoji"].items() if v is not None}
        for key in ("components",):
            if isinstance(out.get(key), list):
                out[key] = [walk(c) for c in out[key]]
        for key in ("component", "accessory"):
            if isinstance(out.get(key), dict):
                out[key] = walk(out[key])
        return out

    return [walk(c) for c in components]


class Ops:
    def __init__(self, state: FakeState, gateway: Gateway, base_url: Callable[[], str]) -> None:
        self.state = state
        self.gateway = gateway
        self._base_url = base_url

    # --- messages ---------------------------------------------------------------------------

    def create_message(
        self,
        channel: Channel,
        author_id: int,
        payload: dict[str, Any],
        files: list[UploadedFile] | None = None,
        **extra: Any,
    ) -> Message:
        """Store a message built from a Discord-style ``payload`` and dispatch MESSAGE_CREATE
        (unless ephemeral). ``extra`` sets Message fields (webhook_id, interaction_metadata...)."""
        ref = payload.get("message_reference")
        message = Message(
            id=self.state.new_id(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author_id=author_id,
            content=str(payload.get("content") or ""),
            type=19 if ref else 0,
            embeds=rich(payload.get("embeds") or []),
            components=numbered(payload.get("components") or []),
            message_reference=self._full_reference(channel, ref) if ref else None,
            allowed_mentions=payload.get("allowed_mentions"),
            nonce=payload.get("nonce"),
            flags=int(payload.get("flags") or 0),
            tts=bool(payload.get("tts")),
            created_at=time.time(),
        )
        for key, value in extra.items():
            setattr(message, key, value)
        message.attachments = self.attachments(
            channel.id, payload.get("attachments"), files or [], []
        )
        self._set_mentions(message)
        self.state.store_message(message)
        if channel.is_thread:
            channel.member_ids.add(author_id)
            if channel.archived:  # "the API will automatically unarchive a thread when sending"
                channel.archived = False
                self.channel_updated(channel)
        self.dispatch_message("MESSAGE_CREATE", message)
        return message

    def archive_idle_threads(self, idle_for: float) -> list[int]:
        """`idle_for` seconds pass with nobody posting: every thread idle (since its last
        message, or its creation) for longer than its `auto_archive_duration` minutes is
        archived, as Discord does, with THREAD_UPDATE. Returns the threads archived."""
        now = time.time() + idle_for
        archived = []
        for channel in list(self.state.channels.values()):
            if not channel.is_thread or channel.archived:
                continue
            last = self.state.messages.get(channel.last_message_id or 0)
            active = max(channel.created_at, last.created_at if last else 0.0)
            if now - active >= channel.auto_archive_duration * 60:
                channel.archived = True
                self.channel_updated(channel)
                archived.append(channel.id)
        return archived

    def edit_message(
        self, message: Message, payload: dict[str, Any], files: list[UploadedFile] | None = None
    ) -> Message:
        for key in ("content", "embeds", "components", "flags", "allowed_mentions"):
            if key in payload:
                value = payload[key]
                if key == "content":
                    value = str(value or "")
                elif key == "flags":
                    value = (message.flags & ~4) | (int(value or 0) & 4)  # only SUPPRESS_EMBEDS
                elif value is None and key != "allowed_mentions":
                    value = []
                elif key == "components":
                    value = numbered(value)
                elif key == "embeds":
                    value = rich(value)
                setattr(message, key, value)
        if "attachments" in payload or files:
            message.attachments = self.attachments(
                message.channel_id, payload.get("attachments"), files or [], message.attachments
            )
        message.edited_at = time.time()
        self._set_mentions(message)
        self.dispatch_message("MESSAGE_UPDATE", message)
        return message

    def delete_message(self, message: Message) -> None:
        self._forget(message)
        if message.ephemeral:
            return
        data: dict[str, Any] = {"id": str(message.id), "channel_id": str(message.channel_id)}
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        self.gateway.dispatch("MESSAGE_DELETE", data, intent=self._message_intent(message))

    def delete_messages(self, channel: Channel, messages: list[Message]) -> None:
        """Several messages of one channel at once (a bulk delete, or a ban that deletes a
        member's recent messages): one MESSAGE_DELETE_BULK, as Discord sends."""
        for message in messages:
            self._forget(message)
        data: dict[str, Any] = {
            "ids": [str(m.id) for m in messages if not m.ephemeral],
            "channel_id": str(channel.id),
        }
        if channel.guild_id is not None:
            data["guild_id"] = str(channel.guild_id)
        intent = Intent.GUILD_MESSAGES if channel.guild_id is not None else Intent.DIRECT_MESSAGES
        self.gateway.dispatch("MESSAGE_DELETE_BULK", data, intent=intent)

    def _forget(self, message: Message) -> None:
        message.deleted = True
        channel = self.state.channels.get(message.channel_id)
        if channel is not None and channel.is_thread:
            channel.message_count = max(0, channel.message_count - 1)

    def dispatch_message(self, event: str, message: Message) -> None:
        if message.ephemeral:
            return  # ephemeral messages never reach the gateway
        bot = self.state.bot.id
        exempt = message.guild_id is None or message.author_id == bot or bot in message.mention_ids
        self.gateway.dispatch(
            event,
            message_json(self.state, message, gateway=True),
            intent=self._message_intent(message),
            content_exempt=exempt,
        )

    def attachments(
        self,
        channel_id: int,
        spec: list[dict[str, Any]] | None,
        files: list[UploadedFile],
        existing: list[Attachment],
    ) -> list[Attachment]:
        """Resolve a payload's ``attachments`` list against uploaded ``files[n]`` parts and the
        message's existing attachments (kept when listed by id)."""
        if spec is None:
            spec = [{"id": i} for i in range(len(files))] if files else []
            if not files:
                return list(existing)
        by_id = {str(a.id): a for a in existing}
        out: list[Attachment] = []
        for index, entry in enumerate(spec):
            key = str(entry.get("id", index))
            if key in by_id:
                out.append(by_id[key])
                continue
            upload = next(
                (f for f in files if f.field_name == f"files[{key}]"),
                files[index] if index < len(files) else None,
            )
            if upload is None:
                continue
            att_id = self.state.new_id()
            filename = entry.get("filename") or upload.filename
            out.append(
                Attachment(
                    id=att_id,
                    filename=filename,
                    content=upload.data,
                    content_type=upload.content_type,
                    description=entry.get("description"),
                    url=f"{self._base_url()}/attachments/{channel_id}/{att_id}/{filename}",
                )
            )
        return out

    def _full_reference(self, channel: Channel, ref: dict[str, Any]) -> dict[str, Any]:
        out = {
            "type": ref.get("type", 0),
            "message_id": str(ref["message_id"]),
            "channel_id": str(ref.get("channel_id") or channel.id),
        }
        if channel.guild_id is not None:
            out["guild_id"] = str(ref.get("guild_id") or channel.guild_id)
        return out

    def _set_mentions(self, message: Message) -> None:
        content = message.content
        guild = self.state.guilds.get(message.guild_id) if message.guild_id else None
        users = [int(u) for u in USER_MENTION.findall(content) if int(u) in self.state.users]
        roles = [int(r) for r in ROLE_MENTION.findall(content) if guild and int(r) in guild.roles]
        everyone = "@everyone" in content or "@here" in content
        allowed = message.allowed_mentions
        replied = True
        if allowed is not None:
            parse = allowed.get("parse") or []
            if "users" not in parse:
                users = [u for u in users if str(u) in map(str, allowed.get("users") or [])]
            if "roles" not in parse:
                roles = [r for r in roles if str(r) in map(str, allowed.get("roles") or [])]
            everyone = everyone and "everyone" in parse
            replied = bool(allowed.get("replied_user", False))
        if message.type == 19 and message.message_reference and replied:
            ref = self.state.messages.get(int(message.message_reference["message_id"]))
            if ref is not None and ref.author_id not in users:
                users.append(ref.author_id)
        message.mention_ids = list(dict.fromkeys(users))
        message.mention_role_ids = list(dict.fromkeys(roles))
        message.mention_everyone = everyone

    @staticmethod
    def _message_intent(message: Message) -> int:
        return Intent.DIRECT_MESSAGES if message.guild_id is None else Intent.GUILD_MESSAGES

    # --- reactions --------------------------------------------------------------------------

    def add_reaction(self, message: Message, user_id: int, emoji: str) -> bool:
        users = message.reactions.setdefault(emoji, [])
        if user_id in users:
            return False
        users.append(user_id)
        data = self._reaction_data(message, user_id, emoji)
        if message.guild_id is not None:
            member = self.state.guilds[message.guild_id].members.get(user_id)
            if member is not None:
                data["member"] = member_json(self.state, member)
        data["message_author_id"] = str(message.author_id)
        self.gateway.dispatch("MESSAGE_REACTION_ADD", data, intent=self._reaction_intent(message))
        return True

    def remove_reaction(self, message: Message, user_id: int, emoji: str) -> bool:
        users = message.reactions.get(emoji, [])
        if user_id not in users:
            return False
        users.remove(user_id)
        if not users:
            del message.reactions[emoji]
        self.gateway.dispatch(
            "MESSAGE_REACTION_REMOVE",
            self._reaction_data(message, user_id, emoji),
            intent=self._reaction_intent(message),
        )
        return True

    def _reaction_data(self, message: Message, user_id: int, emoji: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "user_id": str(user_id),
            "channel_id": str(message.channel_id),
            "message_id": str(message.id),
            "emoji": emoji_json(emoji),
            "burst": False,
            "type": 0,
        }
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        return data

    @staticmethod
    def _reaction_intent(message: Message) -> int:
        if message.guild_id is None:
            return Intent.DIRECT_MESSAGE_REACTIONS
        return Intent.GUILD_MESSAGE_REACTIONS

    # --- threads and channels ---------------------------------------------------------------

    def create_thread(
        self,
        parent: Channel,
        name: str,
        owner_id: int,
        *,
        message: Message | None = None,
        type: ChannelType = ChannelType.PUBLIC_THREAD,
        auto_archive_duration: int = 1440,
    ) -> Channel:
        """A thread in ``parent``; one started from ``message`` gets the message's id."""
        thread = self.state.add_channel(
            parent.guild_id,
            name,
            type,
            id=message.id if message is not None else None,
            parent_id=parent.id,
            owner_id=owner_id,
            auto_archive_duration=auto_archive_duration,
            member_ids={owner_id},
        )
        if message is not None:
            message.thread_id = thread.id
        data = {**channel_json(self.state, thread), "newly_created": True}
        if owner_id == self.state.bot.id:  # the current user's thread member, if joined
            data["member"] = {
                "id": str(thread.id),
                "user_id": str(owner_id),
                "join_timestamp": iso(thread.created_at),
                "flags": 0,
            }
        self.gateway.dispatch("THREAD_CREATE", data, intent=Intent.GUILDS)
        return thread

    def channel_updated(self, channel: Channel) -> None:
        data = channel_json(self.state, channel)
        if channel.is_thread:
            self.gateway.dispatch("THREAD_UPDATE", data, intent=Intent.GUILDS)
        else:
            self.gateway.dispatch("CHANNEL_UPDATE", data, intent=Intent.GUILDS)

    def delete_channel(self, channel: Channel) -> None:
        """A channel or thread is deleted (with its threads, for a channel): CHANNEL_DELETE with
        the channel object, THREAD_DELETE with the thread's id, guild_id, parent_id and type."""
        if not channel.is_thread:
            for thread in [c for c in self.state.channels.values() if c.parent_id == channel.id]:
                if thread.is_thread:
                    self.delete_channel(thread)
        data = channel_json(self.state, channel)
        self.state.remove_channel(channel)
        if channel.is_thread:
            keep = ("id", "guild_id", "parent_id", "type")
            thread_data = {k: data[k] for k in keep}
            self.gateway.dispatch("THREAD_DELETE", thread_data, intent=Intent.GUILDS)
        else:
            self.gateway.dispatch("CHANNEL_DELETE", data, intent=Intent.GUILDS)

    def to_attachment_records(self, attachments: list[Attachment]) -> list[AttachmentRecord]:
        return [
            AttachmentRecord(a.filename, a.content, a.content_type, a.description)
            for a in attachments
        ]
