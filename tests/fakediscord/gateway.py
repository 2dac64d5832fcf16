"""The gateway: a websocket speaking Discord's JSON protocol (v10).

HELLO -> IDENTIFY -> READY + GUILD_CREATE, heartbeats, RESUME with replay of missed events,
INVALID_SESSION, intents filtering, message-content stripping, and optional ``zlib-stream`` or
``zstd-stream`` transport compression when the client asks for it in the URL (discord.py asks
for zstd when the ``zstandard`` package is installed, as it is beside the atproto SDK).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .payloads import guild_json, member_json, user_json
from .records import EventLog, GatewayRecord
from .spec import Conformance
from .spec.gateway import Flow, dispatch_violations
from .state import FakeState


class Intent:
    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    MESSAGE_CONTENT = 1 << 15
    GUILD_SCHEDULED_EVENTS = 1 << 16
    PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT


# application flags telling discord.py which privileged intents the app may use
APP_FLAG_FOR_INTENT = {
    Intent.GUILD_PRESENCES: 1 << 13,
    Intent.GUILD_MEMBERS: 1 << 15,
    Intent.MESSAGE_CONTENT: 1 << 19,
}

REPLAY_BUFFER = 5000
CONTENT_FIELDS = {"content": "", "embeds": [], "attachments": [], "components": []}


@dataclass(frozen=True)
class Dispatch:
    """An op 0 frame as sent (kept for replay on RESUME)."""

    seq: int
    event: str
    text: str


@dataclass
class Session:
    id: str
    intents: int
    seq: int = 0
    resumable: bool = True
    conn: Connection | None = None
    buffer: deque[Dispatch] = field(default_factory=lambda: deque(maxlen=REPLAY_BUFFER))
    #: every dispatch is checked against its schema (spec/gateway_schemas.py)
    conformance: Conformance | None = None

    def next_frame(self, event: str, data: Any) -> Dispatch:
        if self.conformance is not None:
            self.conformance.add(dispatch_violations(self.conformance, event, data))
        self.seq += 1
        frame = Dispatch(
            self.seq, event, json.dumps({"op": 0, "t": event, "s": self.seq, "d": data})
        )
        self.buffer.append(frame)
        return frame


def _zstd_stream() -> Any:
    """A zstd compressor for one socket (None without the zstandard package: text frames)."""
    try:
        import zstandard
    except ImportError:
        return None
    return zstandard.ZstdCompressor().compressobj()


_COMPRESSIONS = ("zlib-stream", "zstd-stream")


class Connection:
    """One websocket; frames go out in order through a queue and a writer task."""

    def __init__(self, ws: web.WebSocketResponse, compress: str | None, flow: Flow) -> None:
        self.ws = ws
        self._zlib = zlib.compressobj() if compress == "zlib-stream" else None
        self._zstd = _zstd_stream() if compress == "zstd-stream" else None
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._writer = asyncio.create_task(self._write())
        self.session: Session | None = None
        #: the opcode flow of this socket, checked as frames go by
        self.flow = flow

    def send(self, frame: Dispatch | dict[str, Any]) -> None:
        """A dispatch (numbered by its session) or an opcode frame."""
        if isinstance(frame, Dispatch):
            self.flow.server_dispatches(frame.event)
            self._queue.put_nowait(frame.text)
            return
        frame = {**frame, "s": None, "t": None}  # "null when op is not 0"
        self.flow.server_sends(frame)
        self._queue.put_nowait(json.dumps(frame))

    async def _write(self) -> None:
        while (frame := await self._queue.get()) is not None:
            if self.ws.closed:
                return
            try:
                if self._zlib is not None:
                    data = self._zlib.compress(frame.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
                elif self._zstd is not None:  # one stream, each frame flushed as a block
                    data = self._zstd.compress(frame.encode()) + self._zstd.flush(1)  # FLUSH_BLOCK
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(frame)
            except (ConnectionError, RuntimeError):
                return

    async def close(self, code: int) -> None:
        """Flush queued frames, then close with ``code``."""
        self.flow.server_closes(code)
        self._queue.put_nowait(None)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(self._writer), 2.0)
        with contextlib.suppress(Exception):
            await self.ws.close(code=code)

    async def stop(self) -> None:
        self._queue.put_nowait(None)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._writer, 2.0)


class Gateway:
    def __init__(
        self,
        state: FakeState,
        log: EventLog[GatewayRecord],
        conformance: Conformance,
        *,
        heartbeat_interval_ms: int,
        compression: bool,
        privileged_intents: int,
        resume_url: Callable[[], str],
    ) -> None:
        self.state = state
        self.log = log
        self.conformance = conformance
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.compression = compression
        self.privileged_intents = privileged_intents
        self._resume_url = resume_url
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        #: cleared while new connections are held before HELLO (see ``hold_connections``)
        self.accepting = asyncio.Event()
        self.accepting.set()

    # --- dispatch ---------------------------------------------------------------------------

    def dispatch(
        self,
        event: str,
        data: dict[str, Any],
        *,
        intent: int = 0,
        content_exempt: bool = True,
        only: Session | None = None,
    ) -> None:
        """Send ``event`` to every session whose intents include ``intent`` (0 = always).

        ``content_exempt=False`` marks message payloads whose content is stripped for
        sessions without the MESSAGE_CONTENT intent (as Discord does).
        """
        for session in [only] if only else list(self.sessions.values()):
            if intent and not session.intents & intent:
                continue
            payload = data
            if not content_exempt and not session.intents & Intent.MESSAGE_CONTENT:
                payload = {**data, **CONTENT_FIELDS}
            frame = session.next_frame(event, payload)
            if session.conn is not None:
                session.conn.send(frame)

    def app_flags(self) -> int:
        return sum(
            flag for bit, flag in APP_FLAG_FOR_INTENT.items() if self.privileged_intents & bit
        )

    # --- faults -----------------------------------------------------------------------------

    async def drop(self, *, resumable: bool) -> None:
        """Close every live socket: 4000 keeps the session resumable; otherwise the session is
        invalidated and the socket closed with 4009, so the client's RESUME gets INVALID_SESSION."""
        for session in list(self.sessions.values()):
            conn = session.conn
            if conn is None:
                continue
            session.conn = None
            if not resumable:
                self._invalidate(session)
            self._record("CLOSE", session.id, code=4000 if resumable else 4009, by="server")
            await conn.close(4000 if resumable else 4009)

    async def invalidate_sessions(self) -> None:
        """Send op 9 INVALID_SESSION (d=false) on every live socket."""
        for session in list(self.sessions.values()):
            if session.conn is not None:
                session.conn.send({"op": 9, "d": False})
                self._record("INVALID_SESSION", session.id)
            self._invalidate(session)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT on every live socket (client should RESUME)."""
        for session in self.sessions.values():
            if session.conn is not None:
                session.conn.send({"op": 7, "d": None})

    async def close_all(self) -> None:
        for conn in list(self.connections):
            await conn.close(1001)

    def _invalidate(self, session: Session) -> None:
        session.resumable = False
        self.sessions.pop(session.id, None)

    # --- websocket handler ------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        wanted = request.query.get("compress")
        compress = wanted if self.compression and wanted in _COMPRESSIONS else None
        flow = Flow(self.conformance, resume_url=request.path.endswith("-resume"))
        conn = Connection(ws, compress, flow)
        self.connections.add(conn)
        self._record("CONNECT", None, path=request.path, query=dict(request.query))
        await self.accepting.wait()
        conn.send({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                flow.client_sends(frame)
                close_code = self._on_frame(conn, frame)
                if close_code is not None:
                    await conn.close(close_code)
                    break
        finally:
            self.connections.discard(conn)
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
                if ws.close_code in (1000, 1001):
                    self._invalidate(session)
                self._record("CLOSE", session.id, code=ws.close_code, by="client")
            await conn.stop()
        return ws

    def _on_frame(self, conn: Connection, msg: dict[str, Any]) -> int | None:
        """Handle one client frame; returns a close code to end the connection."""
        op, d = msg.get("op"), msg.get("d")
        if op == 1:
            conn.send({"op": 11})
            self._record("HEARTBEAT", conn.session.id if conn.session else None, seq=d)
            return None
        if op == 2:
            return self._identify(conn, d or {})
        if op == 6:
            self._resume(conn, d or {})
            return None
        if op == 8:
            self._request_members(conn, d or {})
        return None

    def _identify(self, conn: Connection, d: dict[str, Any]) -> int | None:
        if conn.session is not None:
            return 4005  # already authenticated
        if d.get("token") != self.state.token:
            self._record("IDENTIFY", None, ok=False)
            return 4004
        intents = int(d.get("intents", 0))
        if intents & Intent.PRIVILEGED & ~self.privileged_intents:
            self._record("IDENTIFY", None, ok=False, intents=intents)
            return 4014
        session = Session(id=secrets.token_hex(16), intents=intents, conformance=self.conformance)
        self.sessions[session.id] = session
        session.conn = conn
        conn.session = session
        self._record("IDENTIFY", session.id, ok=True, intents=intents)
        guilds = [g for g in self.state.guilds.values() if self.state.bot.id in g.members]
        ready: dict[str, Any] = {
            "v": 10,
            "user": {**user_json(self.state.bot), "verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "resume_gateway_url": self._resume_url(),
            "application": {"id": str(self.state.application_id), "flags": self.app_flags()},
        }
        if "shard" in d:
            ready["shard"] = d["shard"]
        self.dispatch("READY", ready, only=session)
        self._record("READY", session.id)
        if intents & Intent.GUILDS:
            for guild in guilds:
                data = guild_json(self.state, guild)
                if not intents & Intent.GUILD_MEMBERS:  # as on Discord: only the bot itself
                    bot_id = str(self.state.bot.id)
                    data["members"] = [m for m in data["members"] if m["user"]["id"] == bot_id]
                self.dispatch("GUILD_CREATE", data, only=session)
        return None

    def _resume(self, conn: Connection, d: dict[str, Any]) -> None:
        session = self.sessions.get(str(d.get("session_id")))
        seq = d.get("seq") or 0
        self._record("RESUME", str(d.get("session_id")), seq=seq)
        oldest = session.buffer[0].seq if session and session.buffer else 1
        if (
            session is None
            or not session.resumable
            or d.get("token") != self.state.token
            or seq < oldest - 1
        ):
            conn.send({"op": 9, "d": False})
            self._record("INVALID_SESSION", str(d.get("session_id")))
            return
        old = session.conn
        if old is not None and old is not conn:
            old.session = None
            asyncio.get_running_loop().create_task(old.close(4000))
        session.conn = conn
        conn.session = session
        replayed = 0
        for frame in session.buffer:
            if frame.seq > seq:
                conn.send(frame)
                replayed += 1
        conn.send(session.next_frame("RESUMED", {}))
        self._record("RESUMED", session.id, replayed=replayed)

    def _request_members(self, conn: Connection, d: dict[str, Any]) -> None:
        session = conn.session
        if session is None:
            return
        guild = self.state.guilds.get(int(d.get("guild_id", 0)))
        if guild is None:
            return
        members = [member_json(self.state, m) for m in guild.members.values()]
        if d.get("user_ids"):
            wanted = {str(u) for u in d["user_ids"]}
            members = [m for m in members if m["user"]["id"] in wanted]
        self._record("REQUEST_GUILD_MEMBERS", session.id, guild_id=guild.id)
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if d.get("nonce") is not None:
            chunk["nonce"] = d["nonce"]
        self.dispatch("GUILD_MEMBERS_CHUNK", chunk, only=session)

    def _record(self, event: str, session_id: str | None, **detail: Any) -> None:
        self.log.add(
            GatewayRecord(
                event=event, session_id=session_id, received_at=time.time(), detail=detail
            )
        )
