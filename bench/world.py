"""The benchmark's world: the fake Discord server with a busy community, the bot's config and
topic, a database seeded with last week's session, and the bot (or a bare client) as a
subprocess on 127.0.0.1.

The fake runs in the benchmark process and the measured client in its own process, so on a
2-core machine each gets a core, as a real bot and Discord would.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.config import WEEKDAYS
from tests.fakediscord import FakeDiscord, GuildHandle

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
CHANNELS = ("chat", "announce", "recaps", "hosts", "modlog")
HOSTS = ("hana", "hugo")
QUESTIONS = 12
NEW_MEMBERS = 10  # members never seen before, so newcomer welcomes run too
START_TIMEOUT = 30.0  # seconds for a subprocess to connect and be ready


def member_names(count: int) -> list[str]:
    return [f"m{i:04d}" for i in range(count)]


@dataclass(frozen=True)
class RunOfShow:
    """A compressed chat: the welcome at 0 s, Q1 at `first` s, then a question every `spacing` s."""

    first: float = 2.0
    spacing: float = 3.0
    late_window: float = 2.0

    @property
    def last_question(self) -> float:
        return self.first + (QUESTIONS - 1) * self.spacing

    @property
    def close(self) -> float:
        return self.last_question + self.spacing

    def config(self) -> dict[str, Any]:
        return {
            "reminders": [],
            "welcome": "0s",
            "first_question": _dur(self.first),
            "spacing": _dur(self.spacing),
            "last_call": _dur(self.close - self.spacing / 2),
            "close": _dur(self.close),
            "late_window": _dur(self.late_window),
            "host_heads_up": _dur(min(1.0, self.spacing / 2)),
            "newcomer_grouping": "1s",
        }


def _dur(seconds: float) -> str:
    """A duration as config.yaml spells it (`2.5s`)."""
    return f"{round(seconds, 3):g}s"


def _calm_zone(now: datetime) -> str:
    """A zone where it is not near midnight, so a session planned now keeps today's date."""
    for name in ("UTC", "Asia/Tokyo", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"):
        if 1 <= now.astimezone(ZoneInfo(name)).hour < 22:
            return name
    return "UTC"


@dataclass
class World:
    """One fake server with the chat's guild; `members` post, `hosts` hold the host role."""

    fake: FakeDiscord
    guild: GuildHandle
    members: list[str]
    tmp: Path
    zone: str = field(default_factory=lambda: _calm_zone(datetime.now(UTC)))

    @property
    def chat_id(self) -> int:
        return self.guild.channel("chat")

    def chat_config(self, show: RunOfShow) -> dict[str, Any]:
        now = datetime.now(UTC)
        weekday = (now.astimezone(ZoneInfo(self.zone)).weekday() + 3) % 7  # only rehearsals today
        g = self.guild
        return {
            "name": "leadershipchat",
            "guild_id": g.id,
            "channels": {
                "chat": g.channel("chat"),
                "announce": g.channel("announce"),
                "recap": g.channel("recaps"),
                "host": g.channel("hosts"),
                "mod_log": g.channel("modlog"),
            },
            "host_role_id": g.role("host"),
            "schedule": {
                "weekday": WEEKDAYS[weekday],
                "time": "20:00",
                "timezone": self.zone,
                "duration": _dur(show.close),
            },
            "run_of_show": show.config(),
            # A synthetic burst sends many messages per member per second; flood control would
            # (rightly) delete them and turn the benchmark into one of REST deletes. The moderation
            # cog still runs its checks on every message.
            "moderation": {"flood": {"enabled": False}},
        }

    def write_config(self, folder: Path, show: RunOfShow) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        data = {
            "database": str(folder / "chat.db"),
            "prompts_dir": str(folder / "prompts"),
            "recap_dir": str(folder / "recaps"),
            "discord": {"api_base": self.fake.api_base, "gateway_url": self.fake.gateway_url},
            "chats": [self.chat_config(show)],
        }
        path = folder / "config.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        today = datetime.now(ZoneInfo(self.zone)).date()
        _write_topic(folder / "prompts", today)
        _write_topic(folder / "prompts", today + timedelta(days=1))  # in case midnight passes
        return path


def _write_topic(folder: Path, day: date) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "title": "Leading through a busy hour",
        "date": day.isoformat(),
        "hosts": list(HOSTS),
        "questions": [f"Question {n}: what would you do about case {n}?" for n in range(1, 13)],
    }
    (folder / f"{day.isoformat()}-bench.yaml").write_text(
        yaml.safe_dump(data, sort_keys=False), encoding="utf-8"
    )


@contextlib.asynccontextmanager
async def world(tmp: Path, members: int) -> AsyncIterator[World]:
    """The fake server with a guild of `members` members (plus hosts) on 127.0.0.1."""
    async with FakeDiscord(default_guild=False, host=HOST) as fake:
        names = member_names(members)
        people: dict[str, Sequence[str]] = dict.fromkeys(names, ())
        people.update({h: ("host",) for h in HOSTS})
        guild = await fake.create_guild(
            "Leaders", channels=CHANNELS, roles={"host": 0, "notify": 0}, members=people
        )
        hosts = guild.channel("hosts")
        await fake.set_overwrite(hosts, guild.id, deny=1 << 10)  # VIEW_CHANNEL
        await fake.set_overwrite(hosts, guild.role("host"), allow=1 << 10)
        await fake.set_overwrite(hosts, guild.bot_role_id, allow=1 << 10)
        yield World(fake, guild, names, tmp)


async def seed_returning_members(db: Path, w: World, config: Path) -> None:
    """Last week's session, so all but NEW_MEMBERS members are returning (as in a real chat;
    it also keeps the newcomer welcome to a few names)."""
    from bot.config import load_settings
    from bot.domain.sessions import SessionStatus
    from bot.engine.planning import snapshot
    from bot.store import Store
    from bot.topics import Topic

    settings = load_settings(config)
    chat = settings.chats[0]
    last = datetime.now(UTC) - timedelta(days=7)
    topic = Topic(title="Last week", date=last.date(), questions=())
    async with Store(db) as store:
        session = await store.sessions.create(chat.name, last.date(), last, snapshot(topic), last)
        await store.sessions.set_status(session.id, SessionStatus.RECAPPED)
        for name in w.members[NEW_MEMBERS:]:
            uid = w.guild.member(name)
            await store.members.record_message(session.id, uid, name, last, answer=True)


class SeededDatabase:
    """Seeding takes a second; do it once per world and copy the file for every run."""

    def __init__(self, w: World, tmp: Path) -> None:
        self.w = w
        self.tmp = tmp
        self._template: Path | None = None

    async def fresh(self, folder: Path, show: RunOfShow) -> Path:
        """Config (with a seeded database) for one run in `folder`."""
        config = self.w.write_config(folder, show)
        if self._template is None:
            template_dir = self.tmp / "template"
            template_config = self.w.write_config(template_dir, show)
            await seed_returning_members(template_dir / "chat.db", self.w, template_config)
            self._template = template_dir / "chat.db"
        shutil.copy2(self._template, folder / "chat.db")
        return config


# -- subprocesses ---------------------------------------------------------------------------


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process, in kB, from /proc (Linux)."""
    out: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    return out


@dataclass
class Child:
    """A measured subprocess: it prints `READY` when connected, a JSON line when done."""

    proc: asyncio.subprocess.Process
    result_path: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    async def wait_ready(self, timeout: float = START_TIMEOUT) -> None:  # noqa: ASYNC109
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while True:
            line = await asyncio.wait_for(
                self.proc.stdout.readline(), max(deadline - time.monotonic(), 0.1)
            )
            if not line:
                raise RuntimeError(f"subprocess {self.proc.pid} exited before it was ready")
            if line.strip() == b"READY":
                return

    async def stop(self, timeout: float = 30.0, *, grace: float = 0.0) -> dict[str, Any]:  # noqa: ASYNC109
        """Let it finish on its own for `grace` seconds, else SIGTERM (a clean stop); then read
        its result file."""
        if grace > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.proc.wait(), grace)
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            raise RuntimeError(
                f"subprocess {self.proc.pid} did not stop within {timeout}s"
            ) from None
        if not self.result_path.exists():
            raise RuntimeError(
                f"subprocess {self.proc.pid} wrote no result (exit {self.proc.returncode})"
            )
        result: dict[str, Any] = json.loads(self.result_path.read_text())
        return result

    async def kill(self) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            await self.proc.wait()


def _log_file(result: Path) -> int:
    """A file descriptor for the child's stderr, beside its result file."""
    return os.open(result.with_suffix(".log"), os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o644)


async def spawn(module: str, args: Sequence[str], result: Path, env: dict[str, str]) -> Child:
    """`python -m module args...` with the repo on sys.path; stderr goes to a log beside result."""
    root = ROOT
    log = _log_file(result)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        "--result",
        str(result),
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root), **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=log,
    )
    os.close(log)
    return Child(proc, result)
