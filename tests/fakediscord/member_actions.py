"""Control API, part 2: simulated members acting — posting, editing, deleting, reacting,
starting threads, DMing the bot, and triggering interactions. Mixed into ``FakeDiscord``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .context import Ctx
from .http_util import UploadedFile
from .interactions import InteractionBuilder
from .model import Channel, Message
from .rest_events import check_change, find_event, publish, validate
from .setup_api import Ref, SetupMixin
from .state import Interaction


class MemberActionsMixin(SetupMixin):
    _ctx: Ctx
    _interactions: InteractionBuilder

    def _default_user(self, user: Ref | None) -> int:
        if user is not None:
            return self.user_id(user)
        owner = self.guild.owner_id
        return next(uid for uid in self.guild.members.values() if uid != owner)

    def _default_channel(self, channel: Ref | None) -> Channel:
        if channel is not None:
            return self._channel(channel)
        return self._ctx.state.channel(next(iter(self.guild.channels.values())))

    async def pass_idle_time(self, seconds: float) -> list[int]:
        """Time passes with nobody posting: threads idle past their auto-archive duration are
        archived (see ``Ops.archive_idle_threads``). Returns their ids."""
        return self._ctx.ops.archive_idle_threads(seconds)

    # --- messages -----------------------------------------------------------------------------

    async def post(
        self,
        author: Ref,
        channel: Ref,
        content: str = "",
        *,
        reply_to: int | None = None,
        thread: Ref | None = None,
        embeds: Sequence[dict[str, Any]] = (),
        files: Sequence[tuple[str, bytes]] = (),
    ) -> Message:
        """``author`` posts ``content`` in ``channel`` (or in its ``thread``), optionally as a
        reply to ``reply_to``. The bot gets MESSAGE_CREATE. Returns the stored message."""
        state = self._ctx.state
        author_id = self.user_id(author)
        target = self._channel(channel)
        if thread is not None:
            parent = target
            target = self._channel(thread)
            if target.parent_id != parent.id:
                raise ValueError(f"thread {target.id} is not in channel {parent.id}")
        if target.guild_id is not None:
            state.member(target.guild_id, author_id)
        payload: dict[str, Any] = {"content": content, "embeds": list(embeds)}
        if reply_to is not None:
            state.message(target.id, reply_to)
            payload["message_reference"] = {
                "message_id": str(reply_to),
                "channel_id": str(target.id),
            }
        uploads = [
            UploadedFile(f"files[{i}]", name, None, data) for i, (name, data) in enumerate(files)
        ]
        return self._ctx.ops.create_message(target, author_id, payload, uploads)

    async def dm_bot(self, author: Ref, content: str) -> Message:
        """``author`` sends the bot a direct message."""
        author_id = self.user_id(author)
        channel = self._ctx.state.dm_channel(author_id)
        return self._ctx.ops.create_message(channel, author_id, {"content": content})

    async def edit(self, message_id: int, content: str) -> Message:
        """A member edits their message (MESSAGE_UPDATE)."""
        message = self._ctx.state.any_message(message_id)
        return self._ctx.ops.edit_message(message, {"content": content})

    async def delete(self, message_id: int) -> None:
        """A message disappears (MESSAGE_DELETE), as when its author deletes it."""
        self._ctx.ops.delete_message(self._ctx.state.any_message(message_id))

    async def delete_many(self, message_ids: list[int]) -> None:
        """Messages of one channel disappear at once (MESSAGE_DELETE_BULK), as when a moderator
        bans a member and deletes their recent messages, or a moderation bot purges them."""
        messages = [self._ctx.state.any_message(i) for i in message_ids]
        channels = {m.channel_id for m in messages}
        if len(channels) != 1:
            raise ValueError("a bulk delete is of one channel's messages")
        self._ctx.ops.delete_messages(self._ctx.state.channel(channels.pop()), messages)

    async def react(self, user: Ref, message_id: int, emoji: str) -> None:
        """``user`` adds a reaction; ``emoji`` is unicode, or ``name:id`` for a custom emoji."""
        self._ctx.ops.add_reaction(
            self._ctx.state.any_message(message_id), self.user_id(user), emoji
        )

    async def unreact(self, user: Ref, message_id: int, emoji: str) -> None:
        self._ctx.ops.remove_reaction(
            self._ctx.state.any_message(message_id), self.user_id(user), emoji
        )

    async def start_thread(
        self, author: Ref, channel: Ref, name: str, *, message_id: int | None = None
    ) -> int:
        """``author`` starts a public thread in ``channel`` (from ``message_id`` if given)."""
        parent = self._channel(channel)
        message = self._ctx.state.message(parent.id, message_id) if message_id else None
        thread = self._ctx.ops.create_thread(parent, name, self.user_id(author), message=message)
        return thread.id

    # --- scheduled events ---------------------------------------------------------------------

    async def edit_scheduled_event(self, event_id: int, **changes: Any) -> dict[str, Any]:
        """Someone with Manage Events edits an event in Discord's app (same rules as the API:
        ``scheduled_start_time``, ``name``, ``status`` ... as Discord's JSON fields). The bot
        gets GUILD_SCHEDULED_EVENT_UPDATE; nothing is recorded as the bot's doing."""
        guild, event = find_event(self._ctx, event_id)
        check_change(event, changes)
        updated = {**event, **changes}
        validate(updated, creating=False)
        event.update(updated)
        publish(self._ctx, guild, "modify", event, changes, record=False)
        return dict(event)

    async def delete_scheduled_event(self, event_id: int) -> None:
        """Someone deletes an event in Discord's app (GUILD_SCHEDULED_EVENT_DELETE)."""
        guild, event = find_event(self._ctx, event_id)
        del guild.scheduled_events[event_id]
        publish(self._ctx, guild, "delete", event, {}, record=False)

    # --- interactions -------------------------------------------------------------------------

    async def invoke_slash_command(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: Ref | None = None,
        channel: Ref | None = None,
    ) -> Interaction:
        """A member runs ``/name`` (``"group sub"`` for subcommands) with ``options``. The command
        and options must match what the bot registered (ValueError otherwise). User, channel,
        role and mentionable options take ids; attachment options take ``(filename, bytes)``."""
        return self._interactions.slash(
            name,
            options or {},
            user_id=self._default_user(user),
            channel=self._default_channel(channel),
        )

    async def invoke_autocomplete(
        self,
        name: str,
        options: dict[str, Any],
        focused: str,
        *,
        user: Ref | None = None,
        channel: Ref | None = None,
    ) -> Interaction:
        """A member is typing option ``focused`` of ``/name`` (its value in ``options`` is the text
        so far): an autocomplete interaction; the bot's choices are in the type-8 callback's
        ``payload["choices"]``."""
        return self._interactions.slash(
            name,
            options,
            user_id=self._default_user(user),
            channel=self._default_channel(channel),
            focused=focused,
        )

    async def invoke_message_command(
        self, name: str, message_id: int, *, user: Ref | None = None
    ) -> Interaction:
        """A member uses the message context-menu command ``name`` on ``message_id``."""
        message = self._ctx.state.any_message(message_id)
        channel = self._ctx.state.channel(message.channel_id)
        return self._interactions.message_command(
            name, message, user_id=self._default_user(user), channel=channel
        )

    async def invoke_user_command(
        self, name: str, target: Ref, *, user: Ref | None = None, channel: Ref | None = None
    ) -> Interaction:
        return self._interactions.user_command(
            name,
            self.user_id(target),
            user_id=self._default_user(user),
            channel=self._default_channel(channel),
        )

    async def click_button(
        self, message_id: int, custom_id: str, *, user: Ref | None = None
    ) -> Interaction:
        """A member clicks the button ``custom_id`` on ``message_id`` (must exist on it)."""
        message = self._ctx.state.any_message(message_id)
        return self._interactions.component(message, custom_id, user_id=self._default_user(user))

    async def select_menu(
        self, message_id: int, custom_id: str, values: Sequence[str], *, user: Ref | None = None
    ) -> Interaction:
        message = self._ctx.state.any_message(message_id)
        return self._interactions.component(
            message, custom_id, user_id=self._default_user(user), values=list(values)
        )

    async def submit_modal(
        self, custom_id: str, values: dict[str, Any], *, user: Ref | None = None
    ) -> Interaction:
        """Submit the modal the bot opened with ``custom_id``; ``values`` maps text-input
        custom_ids to strings (select custom_ids to lists). Defaults to the user it was shown to."""
        return self._interactions.modal_submit(
            custom_id, values, user_id=self.user_id(user) if user is not None else None
        )
