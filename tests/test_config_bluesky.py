"""A chat's `bluesky:` section: defaults, and every mistake as `config.yaml:LINE: field: what`,
above all a password written into the file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

CHAT = """\
chats:
  - name: leadershipchat
    guild_id: 111
    channels:
      chat: 222
"""


def problems(write_config: Callable[..., Path], text: str) -> list[str]:
    with pytest.raises(ConfigError) as failed:
        load_settings(write_config(text))
    return failed.value.problems


def test_a_chat_without_bluesky_has_none(write_config: Callable[..., Path]) -> None:
    assert load_settings(write_config(CHAT)).chats[0].bluesky is None


def test_the_section_defaults(write_config: Callable[..., Path]) -> None:
    text = CHAT + "    bluesky:\n      handle: '@LeadershipChat.bsky.social'\n"
    section = load_settings(write_config(text)).chats[0].bluesky
    assert section is not None
    assert section.handle == "leadershipchat.bsky.social"
    assert section.app_password_env == "BLUESKY_APP_PASSWORD"
    assert section.service == "https://bsky.social"
    assert section.mirror == ("welcome", "questions", "last_call", "close", "recap")
    assert section.collect == ("hashtag", "replies")
    assert section.poll_every == timedelta(seconds=10)
    assert section.recheck_days == 30


def test_steps_and_ways_read_as_hosts_write_them(write_config: Callable[..., Path]) -> None:
    text = CHAT + (
        "    bluesky:\n      handle: chat.example.org\n      mirror: [Questions, last call]\n"
        "      collect: replies\n      poll_every: 30s\n      service: https://pds.example.org/\n"
    )
    section = load_settings(write_config(text)).chats[0].bluesky
    assert section is not None
    assert section.mirror == ("questions", "last_call") and section.collect == ("replies",)
    assert section.service == "https://pds.example.org"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            "      handle: chat.bsky.social\n      app_password_env: abcd-efgh-ijkl-mnop\n",
            "config.yaml:8: chats[0].bluesky.app_password_env: this looks like an app password"
            " itself; never write it in this file",
        ),
        (
            "      handle: chat.bsky.social\n      app_password_env: hunter2hunter2\n",
            "config.yaml:8: chats[0].bluesky.app_password_env: 'hunter2hunter2' is not the name"
            " of an environment variable",
        ),
        (
            "      handle: chat.bsky.social\n      password: abcd-efgh-ijkl-mnop\n",
            "config.yaml:8: chats[0].bluesky.password: never write a password in this file",
        ),
        (
            "      handle: did:plc:ewvi7nxzyoun6zhxrhs64oiz\n",
            "config.yaml:7: chats[0].bluesky.handle: 'did:plc:ewvi7nxzyoun6zhxrhs64oiz' is a"
            " DID; write the account's handle",
        ),
        (
            "      handle: host@example.org\n",
            "config.yaml:7: chats[0].bluesky.handle: 'host@example.org' looks like an email",
        ),
        (
            "      handle: leadership chat\n",
            "config.yaml:7: chats[0].bluesky.handle: 'leadership chat' is not a Bluesky handle",
        ),
        (
            "      handle: chat.bsky.social\n      mirror: [questions, newcomers]\n",
            "config.yaml:8: chats[0].bluesky.mirror: 'newcomers' is not a step the bot can"
            " mirror on Bluesky (choose from: reminders, welcome, questions, last_call, close,"
            " recap)",
        ),
        (
            "      handle: chat.bsky.social\n      collect: [hashtag, hashtag]\n",
            "config.yaml:8: chats[0].bluesky.collect: 'hashtag' is listed twice",
        ),
        (
            "      handle: chat.bsky.social\n      mirror: []\n      collect: []\n",
            "config.yaml:6: chats[0].bluesky: mirrors no step and collects no answers",
        ),
        (
            "      handle: chat.bsky.social\n      poll_every: 1s\n",
            "config.yaml:8: chats[0].bluesky.poll_every: 1s is outside 2s to 5m",
        ),
        (
            "      handle: chat.bsky.social\n      recheck_days: -1\n",
            "config.yaml:8: chats[0].bluesky.recheck_days: -1 is outside 0 to 366",
        ),
        (
            "      handle: chat.bsky.social\n      service: bsky.social\n",
            "config.yaml:8: chats[0].bluesky.service: 'bsky.social' is not a web address",
        ),
        ("      app_password_env: BSKY\n", "config.yaml:6: chats[0].bluesky.handle: is required"),
    ],
)
def test_mistakes_name_file_line_and_field(
    write_config: Callable[..., Path], lines: str, expected: str
) -> None:
    [problem] = problems(write_config, CHAT + "    bluesky:\n" + lines)
    assert problem.startswith(expected)


def test_a_hashtag_bluesky_cannot_use_is_refused_only_with_bluesky(
    write_config: Callable[..., Path],
) -> None:
    digits = CHAT.replace(
        "  - name: leadershipchat\n", "  - name: leadershipchat\n    hashtag: '#2026'\n"
    )
    assert load_settings(write_config(digits)).chats[0].hashtag == "#2026"
    [problem] = problems(write_config, digits + "    bluesky:\n      handle: chat.bsky.social\n")
    assert problem.startswith(
        "config.yaml:3: chats[0].hashtag: #2026 is not a hashtag on Bluesky (it needs a letter"
    )


def test_one_variable_cannot_hold_two_accounts_passwords(
    write_config: Callable[..., Path],
) -> None:
    second = CHAT.replace("chats:\n", "").replace("leadershipchat", "evening")
    bluesky = "    bluesky:\n      handle: {}\n"
    text = CHAT + bluesky.format("a.bsky.social") + second + bluesky.format("b.bsky.social")
    [problem] = problems(write_config, text)
    assert problem.startswith(
        "config.yaml:12: chats[1].bluesky.app_password_env: BLUESKY_APP_PASSWORD already holds"
        " the app password of a.bsky.social; give b.bsky.social a variable of its own"
    )
    same_account = CHAT + bluesky.format("a.bsky.social") + second + bluesky.format("a.bsky.social")
    settings: Settings = load_settings(write_config(same_account))
    assert [c.bluesky.handle for c in settings.chats if c.bluesky] == ["a.bsky.social"] * 2


def test_the_example_configs_bluesky_section_loads_once_uncommented(
    write_config: Callable[..., Path], settings: Settings
) -> None:
    assert settings.chats[0].bluesky is None  # commented out: the example runs Discord only
    example = (Path(__file__).resolve().parent.parent / "config.example.yaml").read_text()
    lines = example.splitlines()
    start = lines.index("    # bluesky:")
    end = next(
        (i for i in range(start + 1, len(lines)) if not lines[i].startswith("    #   ")), len(lines)
    )
    lines[start:end] = [line.replace("    # ", "    ", 1) for line in lines[start:end]]
    path = write_config("\n".join(lines))
    (path.parent / "prompts").mkdir()
    section = load_settings(path).chats[0].bluesky
    assert section is not None and section.handle == "leadershipchat.bsky.social"
    assert section.mirror == ("welcome", "questions", "last_call", "close", "recap")


def test_a_recap_address_names_only_what_is_filled_in(write_config: Callable[..., Path]) -> None:
    text = (
        CHAT
        + "    bluesky:\n      handle: chat.bsky.social\n      recap_url: https://x.org/{week}\n"
    )
    [problem] = problems(write_config, text)
    assert problem.startswith("config.yaml:") and "chats[0].bluesky.recap_url" in problem
    assert "{chat}, {date} and {folder}" in problem


def test_links_name_a_bluesky_account_and_a_discord_member(
    write_config: Callable[..., Path],
) -> None:
    head = CHAT + "    bluesky:\n      handle: chat.bsky.social\n      links:\n"
    good = head + "        '@Ana.bsky.social': 123456\n        did:plc:abc234: 789\n"
    section = load_settings(write_config(good)).chats[0].bluesky
    assert section is not None
    assert section.links == {"ana.bsky.social": 123456, "did:plc:abc234": 789}
    [problem] = problems(write_config, head + "        'not a handle!': 1\n")
    assert "bluesky.links" in problem and "is not a Bluesky handle or DID" in problem
    [problem] = problems(write_config, head + "        ana.bsky.social: Ana\n")
    assert "'Ana' is not a Discord user id" in problem
