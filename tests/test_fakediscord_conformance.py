"""The conformance checks of the fake Discord (tests/fakediscord/spec): a wrong payload, either
way, fails the test that caused it with the operation, the JSON pointer and the problem."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest

from tests.fakediscord import FAST_CLIENT_OPTIONS, FakeDiscord, running
from tests.fakediscord.spec import ConformanceError, coverage
from tests.fakediscord.spec.coverage import (
    documented,
    fake_gateway_events,
    fake_rest_operations,
    missing_tests,
)
from tests.fakediscord.spec.gateway_schemas import DISPATCHES

pytest_plugins = ["tests.fakediscord.pytest_plugin"]

TESTS = Path(__file__).resolve().parent


def client() -> discord.Client:
    intents = discord.Intents.default()
    intents.message_content = True
    return discord.Client(intents=intents, **FAST_CLIENT_OPTIONS)


async def test_a_string_flags_in_a_message_create_is_refused_and_named() -> None:
    async with FakeDiscord() as fake:
        fake.point_discord_py_here()
        async with running(client(), fake.token) as c:
            channel_id = fake.guild.channel("general")
            route = discord.http.Route(
                "POST", "/channels/{channel_id}/messages", channel_id=channel_id
            )
            with pytest.raises(discord.HTTPException) as refused:
                await c.http.request(route, json={"content": "hi", "flags": "urgent"})
        assert refused.value.status == 400 and refused.value.code == 50035
        assert "flags" in refused.value.text  # Discord's errors tree names the field
        assert fake.posts == []
        with pytest.raises(ConformanceError) as failed:
            await fake.stop()
    message = str(failed.value)
    assert 'create_message request body at /flags: "urgent" is not of types "null", "integer"' in (
        message
    )


async def test_a_message_create_without_channel_id_is_caught_before_it_reaches_the_bot(
    fake_discord: FakeDiscord,
) -> None:
    fake = fake_discord
    async with running(client(), fake.token):
        message = await fake.post("alice", "general", "A1: fine")  # checked, and fine
        data = fake.message_payload(message)
        del data["channel_id"]
        fake._ctx.gateway.dispatch("MESSAGE_CREATE", data)
    (found,) = fake.conformance.take()
    assert str(found) == "MESSAGE_CREATE dispatch at /channel_id: This field is required"


async def test_an_unknown_route_is_a_404_and_a_violation(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running(client(), fake.token) as c:
        route = discord.http.Route("GET", "/channels/{channel_id}/recap", channel_id=1)
        with pytest.raises(discord.NotFound):
            await c.http.request(route)
    (found,) = fake.conformance.take()
    assert "GET /channels/1/recap is not an operation of Discord's REST API" in str(found)


async def test_a_query_parameter_out_of_range_is_named(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running(client(), fake.token) as c:
        route = discord.http.Route(
            "GET", "/channels/{channel_id}/messages", channel_id=fake.guild.channel("general")
        )
        with pytest.raises(discord.HTTPException):
            await c.http.request(route, params={"limit": 500})
    (found,) = fake.conformance.take()
    assert str(found) == (
        "list_messages query parameter at /limit: Value should be less than or equal to 100."
    )


async def test_a_response_the_spec_forbids_is_a_violation(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running(client(), fake.token) as c:
        alice = fake.user_id("alice")
        fake._ctx.state.users[alice].username = None  # type: ignore[assignment]
        await c.fetch_user(alice)
    (found,) = fake.conformance.take()
    assert str(found) == 'get_user response 200 at /username: null is not of type "string"'


async def test_the_opcode_flow_of_a_client_is_checked(fake_discord: FakeDiscord) -> None:
    """A client that asks for members before identifying, then resumes on the first URL."""
    fake = fake_discord
    async with aiohttp.ClientSession() as http, http.ws_connect(fake.gateway_url) as ws:
        hello = json.loads((await ws.receive()).data)
        assert hello == {"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None}
        await ws.send_str(json.dumps({"op": 8, "d": {"guild_id": "1", "limit": 0}}))
        await ws.send_str(
            json.dumps({"op": 6, "d": {"token": fake.token, "session_id": "x", "seq": 1}})
        )
        invalid = json.loads((await ws.receive()).data)
        assert invalid["op"] == 9 and invalid["d"] is False
    problems = [str(v) for v in fake.conformance.take()]
    assert problems == [
        "REQUEST_GUILD_MEMBERS opcode flow at /: sent before IDENTIFY (4003 Not authenticated)",
        "RESUME opcode flow at /: RESUME not sent to the resume_gateway_url from READY",
    ]


async def test_violations_ride_along_when_the_test_failed_anyway() -> None:
    with pytest.raises(RuntimeError) as failed:
        async with FakeDiscord() as fake:
            fake.point_discord_py_here()
            async with running(client(), fake.token) as c:
                route = discord.http.Route("POST", "/users/@me/channels")
                with pytest.raises(discord.HTTPException):
                    await c.http.request(route, json={"recipient_id": "alice"})
            raise RuntimeError("the test's own failure")
    notes: list[Any] = getattr(failed.value, "__notes__", [])
    assert "create_dm request body at /recipient_id" in "\n".join(notes)


async def test_new_roles_members_and_member_chunks_reach_a_client_validated(
    fake_discord: FakeDiscord,
) -> None:
    fake = fake_discord
    intents = discord.Intents.default()
    intents.members = True
    options = {**FAST_CLIENT_OPTIONS, "chunk_guilds_at_startup": False}
    async with running(discord.Client(intents=intents, **options), fake.token) as c:
        role = await fake.add_role("speakers")
        cara = await fake.add_member("cara", roles=["speakers"])
        guild = c.get_guild(fake.guild.id)
        assert guild is not None
        chunked = await guild.chunk()  # a round trip: the events before it have been read
    assert {m.name for m in chunked} >= {"alice", "bob", "cara"}
    speakers = guild.get_role(role)
    assert speakers is not None and speakers.name == "speakers"
    member = guild.get_member(cara)
    assert member is not None and speakers in member.roles
    checked = set(fake.conformance.checked)
    assert {"GUILD_ROLE_CREATE", "GUILD_MEMBER_ADD", "GUILD_MEMBERS_CHUNK"} <= {
        name.removeprefix("gateway ") for name in checked
    }


def test_every_event_the_fake_can_send_has_a_schema_naming_its_doc_section() -> None:
    sent = fake_gateway_events()
    assert {"READY", "MESSAGE_CREATE", "GUILD_SCHEDULED_EVENT_DELETE"} <= sent  # found in source
    assert sent - set(DISPATCHES) == set()
    assert all(".mdx" in DISPATCHES[event]["$comment"] for event in sent)


def test_the_coverage_list_is_what_the_fake_serves_and_sends(tmp_path: Path) -> None:
    """docs/discord-conformance.md cannot go stale: its tables hold exactly the operations the
    fake serves and the events it can send, its counts are their lengths, and every test it
    names exists."""
    served, other = fake_rest_operations()
    assert other == ["GET /attachments/{channel_id}/{attachment_id}/{filename}"]  # the CDN
    doc = documented()
    assert set(doc.bot_rest) & doc.fake_rest == set()
    assert sorted(set(served) - set(doc.bot_rest) - doc.fake_rest) == []  # served, not listed
    assert sorted((set(doc.bot_rest) | doc.fake_rest) - set(served)) == []  # listed, not served
    assert [op for op, refs in doc.bot_rest.items() if not refs] == []
    assert set(doc.gateway) == fake_gateway_events()
    assert [event for event, refs in doc.gateway.items() if not refs] == []
    assert missing_tests(doc.all_refs) == []
    for what, count in [
        ("REST operations the bot's code can call (list below)", len(doc.bot_rest)),
        ("of them validated, request and response, in a bot test", len(doc.bot_rest)),
        ("REST operations the fake serves (the bot's, and the fake only's below)", len(served)),
        (
            "gateway dispatches the fake can send, each with a schema and validated in a test"
            " (list below)",
            len(doc.gateway),
        ),
    ]:
        assert f"| {what} | {count} |" in doc.text

    # and the check itself catches a stale list: a renamed test, a missing operation
    stale = tmp_path / "stale.md"
    stale.write_text(
        doc.text.replace("test_history_threads_events_and_dms", "test_old_name").replace(
            "| `get_channel` |", "| get_channel |"
        ),
        encoding="utf-8",
    )
    old = documented(stale)
    assert "test_discord_bot.py::test_old_name" in missing_tests(old.all_refs)
    assert set(served) - set(old.bot_rest) - old.fake_rest == {"get_channel"}


def test_a_run_of_part_of_the_suite_is_not_failed_for_what_it_left_out(tmp_path: Path) -> None:
    """Leaving tests out (--ignore-glob, -o python_functions; so do a skip for want of Chromium,
    or --sw) is no reason to say the coverage list names operations no test validated: only rows
    whose named tests ran are checked. Run as `pytest` with no paths, which counts as whole."""
    only = "test_fakediscord.py"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            f"--basetemp={tmp_path / 'inner'}",
            "-o",
            "python_functions=test_slash_command*",  # one quick test of the file, collected alone
            *(f"--ignore-glob=tests/{p.name}" for p in TESTS.glob("test_*.py") if p.name != only),
        ],
        cwd=TESTS.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert "passed" in run.stdout and "listed as validated" not in run.stdout


def test_a_call_a_bot_test_makes_that_the_list_misses_is_reported() -> None:
    before = {module: set(names) for module, names in coverage.VALIDATED.items()}
    try:
        coverage.VALIDATED.clear()
        coverage.record_use("tests/test_fakediscord.py::test_x (call)", {"get_guild"})
        assert coverage.undocumented_uses() == []  # the fake's own tests may call anything
        coverage.record_use(
            "tests/test_discord_bot.py::test_y (call)",
            {"get_guild", "create_message", "gateway READY"},
        )
        assert coverage.undocumented_uses() == ["get_guild (called in test_discord_bot.py)"]
        # after the whole suite, what the list has but no test validated is named too
        everything = coverage.documented().all_refs
        never = coverage.never_validated(everything)
        assert "create_message (no bot test calls it)" not in never
        assert "get_my_user (no bot test calls it)" in never
        assert "THREAD_DELETE (no test makes the fake send it)" in never
        assert not [n for n in never if n.startswith("READY ")]
        # a row whose named test was skipped or left out of the run is not held to it
        (skipped,) = coverage.documented().bot_rest["get_my_user"][:1]
        never = coverage.never_validated(set(everything) - {skipped})
        assert "get_my_user (no bot test calls it)" not in never
        assert "THREAD_DELETE (no test makes the fake send it)" in never
    finally:
        coverage.VALIDATED.clear()
        coverage.VALIDATED.update(before)
