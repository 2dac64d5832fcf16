"""Build INTERACTION_CREATE events the way Discord would for a member's action: slash commands
(checked against what the bot registered), context-menu commands, components and modals."""

from __future__ import annotations

from typing import Any

from .context import Ctx
from .model import Attachment, Channel, Message, Perm
from .payloads import (
    attachment_json,
    channel_json,
    member_json,
    message_json,
    role_json,
    user_json,
)
from .state import Interaction

CHAT_INPUT, USER_COMMAND, MESSAGE_COMMAND = 1, 2, 3
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)


class InteractionBuilder:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.state = ctx.state
        #: modals the bot opened (callback type 9): custom_id -> (modal data, interaction id)
        self.modals: dict[str, tuple[dict[str, Any], int]] = {}

    # --- envelope ---------------------------------------------------------------------------

    def send(
        self,
        type: int,
        data: dict[str, Any],
        *,
        user_id: int,
        channel: Channel,
        message: Message | None = None,
    ) -> Interaction:
        """Create, store and dispatch an interaction of ``type`` with ``data``."""
        state = self.state
        guild_id = channel.guild_id
        interaction = state.new_interaction(
            type=type,
            guild_id=guild_id,
            channel_id=channel.id,
            user_id=user_id,
            message_id=message.id if message else None,
        )
        perms = state.permissions(user_id, channel)
        payload: dict[str, Any] = {
            "id": str(interaction.id),
            "application_id": str(state.application_id),
            "type": type,
            "data": data,
            "channel_id": str(channel.id),
            "channel": {**channel_json(state, channel), "permissions": str(perms)},
            "token": interaction.token,
            "version": 1,
            "app_permissions": str(state.permissions(state.bot.id, channel)),
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild_id is not None:
            member = state.member(guild_id, user_id)
            payload.update(
                guild_id=str(guild_id),
                guild_locale="en-US",
                guild={"id": str(guild_id), "locale": "en-US", "features": ["COMMUNITY"]},
                member=member_json(state, member, permissions=perms),
                authorizing_integration_owners={"0": str(guild_id)},
                context=0,
            )
        else:
            payload.update(
                user=user_json(state.user(user_id)),
                authorizing_integration_owners={"1": str(user_id)},
                context=1,
            )
        if message is not None:
            payload["message"] = message_json(state, message)
        interaction.payload = payload
        self.ctx.gateway.dispatch("INTERACTION_CREATE", payload)
        return interaction

    # --- application commands ---------------------------------------------------------------

    def slash(
        self,
        name: str,
        options: dict[str, Any],
        *,
        user_id: int,
        channel: Channel,
        focused: str | None = None,
    ) -> Interaction:
        """``name`` may be ``"cmd"``, ``"cmd sub"`` or ``"cmd group sub"``. With ``focused`` (an
        option name) it is an autocomplete request (type 4) while that option is being typed:
        required options may still be missing."""
        root, *path = name.split()
        guild_id = channel.guild_id
        command = self.state.find_command(root, CHAT_INPUT, guild_id)
        if command is None:
            raise ValueError(f"no chat-input command {root!r} registered ({self._known()})")
        self._check_permitted(command, user_id, channel)
        resolved: dict[str, dict[str, Any]] = {}
        defs: list[dict[str, Any]] = command.get("options") or []
        nested: list[tuple[str, int]] = []
        for part in path:
            sub = next((o for o in defs if o["name"] == part), None)
            if sub is None or sub["type"] not in (SUB_COMMAND, SUB_COMMAND_GROUP):
                raise ValueError(f"{root!r} has no subcommand {part!r}")
            nested.append((part, sub["type"]))
            defs = sub.get("options") or []
        if any(d["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for d in defs):
            raise ValueError(f"{name!r} needs a subcommand")
        built = self._options(defs, options, channel, resolved, partial=focused is not None)
        for option in built:
            if option["name"] == focused:
                option["focused"] = True
        for part, kind in reversed(nested):
            built = [{"name": part, "type": kind, "options": built}]
        data: dict[str, Any] = {
            "id": command["id"],
            "name": root,
            "type": CHAT_INPUT,
            "options": built,
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return self.send(2 if focused is None else 4, data, user_id=user_id, channel=channel)

    def message_command(
        self, name: str, target: Message, *, user_id: int, channel: Channel
    ) -> Interaction:
        command = self._context_command(name, MESSAGE_COMMAND, channel, user_id)
        data = {
            "id": command["id"],
            "name": name,
            "type": MESSAGE_COMMAND,
            "target_id": str(target.id),
            "resolved": {"messages": {str(target.id): message_json(self.state, target)}},
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return self.send(2, data, user_id=user_id, channel=channel)

    def user_command(
        self, name: str, target_id: int, *, user_id: int, channel: Channel
    ) -> Interaction:
        command = self._context_command(name, USER_COMMAND, channel, user_id)
        resolved: dict[str, dict[str, Any]] = {}
        self._resolve_user(target_id, channel, resolved)
        data = {
            "id": command["id"],
            "name": name,
            "type": USER_COMMAND,
            "target_id": str(target_id),
            "resolved": resolved,
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return self.send(2, data, user_id=user_id, channel=channel)

    def _context_command(
        self, name: str, type: int, channel: Channel, user_id: int
    ) -> dict[str, Any]:
        command = self.state.find_command(name, type, channel.guild_id)
        if command is None:
            raise ValueError(f"no context-menu command {name!r} registered ({self._known()})")
        self._check_permitted(command, user_id, channel)
        return command

    def _check_permitted(self, command: dict[str, Any], user_id: int, channel: Channel) -> None:
        """Discord shows a command only to members with all of its default_member_permissions
        in the channel (application-commands.mdx, Permissions; "0": administrators only), so
        nobody else can invoke it."""
        needed = command.get("default_member_permissions")
        if needed is None or channel.guild_id is None:
            return
        perms = self.state.permissions(user_id, channel)
        if perms & Perm.ADMINISTRATOR or perms == Perm.ALL:
            return
        allowed = self._overwrite(command, user_id, channel.guild_id)
        if allowed is True:
            return
        if allowed is False:
            user = self.state.user(user_id).username
            raise PermissionError(f"{user} cannot use {command['name']!r}: an admin denied it")
        if int(needed) == 0 or perms & int(needed) != int(needed):
            user = self.state.user(user_id).username
            raise PermissionError(
                f"{user} cannot use {command['name']!r}: Discord hides it from members without "
                f"its default_member_permissions ({needed})"
            )

    def _overwrite(self, command: dict[str, Any], user_id: int, guild_id: int) -> bool | None:
        """What an admin's overwrites (Server Settings > Integrations) say for this member: the
        command's own, else the app-wide ones; the member's entry, else their roles' (one that
        allows is enough), else @everyone's. None: no overwrite applies (channel overwrites are
        not modelled)."""
        found = self.state.command_permissions.get(guild_id, {})
        entries = found.get(int(command["id"]), found.get(self.state.application_id, []))
        by_id = {(int(e["type"]), int(e["id"])): bool(e["permission"]) for e in entries}
        if (2, user_id) in by_id:
            return by_id[(2, user_id)]
        roles = [
            by_id[(1, r)] for r in self.state.member(guild_id, user_id).roles if (1, r) in by_id
        ]
        if roles:
            return any(roles)
        return by_id.get((1, guild_id))

    def _known(self) -> str:
        names = [c["name"] for c in self.state.global_commands]
        for guild_id, cmds in self.state.guild_commands.items():
            names += [f"{c['name']} (guild {guild_id})" for c in cmds]
        return "registered: " + (", ".join(names) or "none")

    def _options(
        self,
        defs: list[dict[str, Any]],
        given: dict[str, Any],
        channel: Channel,
        resolved: dict[str, dict[str, Any]],
        *,
        partial: bool = False,
    ) -> list[dict[str, Any]]:
        by_name = {d["name"]: d for d in defs}
        unknown_names = set(given) - set(by_name)
        if unknown_names:
            raise ValueError(f"unknown options {sorted(unknown_names)}; defined: {sorted(by_name)}")
        missing = [d["name"] for d in defs if d.get("required") and d["name"] not in given]
        if missing and not partial:
            raise ValueError(f"missing required options {missing}")
        out = []
        for name, value in given.items():
            d = by_name[name]
            kind = d["type"]
            choices = d.get("choices")
            if choices and value not in [c["value"] for c in choices]:
                raise ValueError(f"option {name!r}: {value!r} is not one of the choices")
            out.append(
                {"name": name, "type": kind, "value": self._value(kind, value, channel, resolved)}
            )
        return out

    def _value(
        self, kind: int, value: Any, channel: Channel, resolved: dict[str, dict[str, Any]]
    ) -> Any:
        if kind == INTEGER:
            return int(value)
        if kind == NUMBER:
            return float(value)
        if kind == BOOLEAN:
            return bool(value)
        if kind == STRING:
            return str(value)
        if kind == ATTACHMENT:
            filename, content = value
            att_id = self.state.new_id()
            url = f"{self.ctx.base_url()}/attachments/{channel.id}/{att_id}/{filename}"
            att = Attachment(id=att_id, filename=filename, content=content, url=url)
            self.state.option_attachments[att_id] = att  # so the bot can download it
            resolved.setdefault("attachments", {})[str(att_id)] = attachment_json(att)
            return str(att_id)
        target = int(value)
        guild = self.state.guilds.get(channel.guild_id or 0)
        if kind in (ROLE, MENTIONABLE) and guild and target in guild.roles:
            resolved.setdefault("roles", {})[str(target)] = role_json(guild.roles[target])
        elif kind == CHANNEL:
            ch = self.state.channel(target)
            perms = self.state.permissions(self.state.bot.id, ch)
            resolved.setdefault("channels", {})[str(target)] = {
                **channel_json(self.state, ch),
                "permissions": str(perms),
            }
        else:
            self._resolve_user(target, channel, resolved)
        return str(target)

    def _resolve_user(
        self, user_id: int, channel: Channel, resolved: dict[str, dict[str, Any]]
    ) -> None:
        resolved.setdefault("users", {})[str(user_id)] = user_json(self.state.user(user_id))
        guild = self.state.guilds.get(channel.guild_id or 0)
        if guild and user_id in guild.members:
            member = guild.members[user_id]
            perms = self.state.permissions(user_id, channel)
            resolved.setdefault("members", {})[str(user_id)] = member_json(
                self.state, member, with_user=False, permissions=perms
            )

    # --- components and modals --------------------------------------------------------------

    def component(
        self,
        message: Message,
        custom_id: str,
        *,
        user_id: int,
        values: list[str] | None = None,
    ) -> Interaction:
        comp = find_component(message.components, custom_id)
        if comp is None:
            ids = [c.get("custom_id") for c in walk(message.components) if c.get("custom_id")]
            raise ValueError(f"message {message.id} has no component {custom_id!r}; has {ids}")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": comp["type"]}
        if values is not None:
            data["values"] = list(values)
        channel = self.state.channel(message.channel_id)
        return self.send(3, data, user_id=user_id, channel=channel, message=message)

    def modal_submit(
        self, custom_id: str, values: dict[str, Any], *, user_id: int | None
    ) -> Interaction:
        if custom_id not in self.modals:
            raise ValueError(
                f"the bot has not opened a modal {custom_id!r}; open: {list(self.modals)}"
            )
        modal, origin_id = self.modals[custom_id]
        origin = self.state.interactions[origin_id]
        channel = self.state.channel(origin.channel_id)
        components = [_fill(c, values) for c in modal.get("components") or []]
        data = {"custom_id": custom_id, "components": components}
        message = self.state.messages.get(origin.message_id or 0)
        submitted = self.send(
            5,
            data,
            user_id=user_id if user_id is not None else origin.user_id,
            channel=channel,
            message=message,
        )
        submitted.origin_id = origin.id
        return submitted


def walk(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every component, depth first (action rows, sections, containers, labels)."""
    out: list[dict[str, Any]] = []
    for comp in components:
        out.append(comp)
        out.extend(walk(comp.get("components") or []))
        if isinstance(comp.get("component"), dict):
            out.extend(walk([comp["component"]]))
        if isinstance(comp.get("accessory"), dict):
            out.extend(walk([comp["accessory"]]))
    return out


def find_component(components: list[dict[str, Any]], custom_id: str) -> dict[str, Any] | None:
    return next((c for c in walk(components) if c.get("custom_id") == custom_id), None)


def _fill(comp: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A submitted copy of a modal component: text inputs get ``value``, selects ``values``."""
    kind = comp.get("type")
    if kind == 1:
        return {"type": 1, "components": [_fill(c, values) for c in comp.get("components") or []]}
    if kind == 18:  # label wrapping one component
        return {"type": 18, "component": _fill(comp["component"], values)}
    custom_id = comp.get("custom_id")
    if custom_id is None:
        return {"type": kind}
    if kind == 4:
        value = values.get(str(custom_id), comp.get("value") or "")
        return {"type": 4, "custom_id": custom_id, "value": str(value)}
    return {"type": kind, "custom_id": custom_id, "values": list(values.get(str(custom_id), []))}
