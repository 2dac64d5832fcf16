"""A recap of a chat run on Discord and Bluesky at once: counts per platform, every quote linked to
where it was posted, participants per platform unless a host linked the two accounts."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from bot.domain.messages import Attributed, MessageRow, PostOrigin
from bot.recap.build import build_recap
from bot.recap.export import render_json
from bot.recap.html import render_html
from bot.recap.inputs import RecapInput
from bot.recap.markdown import render_markdown
from bot.recap.posts import discord_posts
from tests.fixtures.recap import scenario as sc

ANA_DID = "did:plc:anaanaanaanaanaanaanaana"
ZOE_DID = "did:plc:zoezoezoezoezoezoezoezoe"


def bluesky(mid: int, author: int, handle: str, did: str, text: str, q: int) -> MessageRow:
    rkey = f"3kabc{abs(mid):08d}"
    uri = f"at://{did}/app.bsky.feed.post/{rkey}"
    return MessageRow(
        id=mid,
        session_id=sc.SESSION,
        channel_id=0,
        author_id=author,
        author_name=handle,
        content=text,
        created_at=sc.START + timedelta(minutes=10 * q + 1),
        attribution=Attributed("answer", (q,), (f"A{q}",)),
        jump_url=f"https://bsky.app/profile/{did}/post/{rkey}",
        origin=PostOrigin("bluesky", uri, did, handle),
    )


def two_platform_input(links: dict[int, int] | None = None) -> RecapInput:
    rows = [
        *sc.stored_rows(),
        bluesky(-1, -100, "zoe.example.com", ZOE_DID, "A1 from Bluesky, by Zoe", 1),
        bluesky(-2, -100, "zoe.example.com", ZOE_DID, "A2 Zoe again", 2),
        bluesky(-3, -101, "ana.bsky.social", ANA_DID, "A1 Ana, on Bluesky this time", 1),
    ]
    return replace(sc.stored_input(rows), links=links or {})


def test_counts_per_platform_and_each_quote_links_where_it_was_posted() -> None:
    recap = build_recap(two_platform_input())
    discord_only = build_recap(sc.stored_input())
    per = recap.stats.per_platform
    assert list(per) == ["discord", "bluesky"]
    assert per["discord"] == discord_only.stats.per_platform["discord"]
    assert (per["bluesky"].participants, per["bluesky"].answers) == (2, 3)
    assert recap.stats.participants == discord_only.stats.participants + 2  # unlinked: two more
    zoe = next(m for m in recap.messages if m.author == "zoe.example.com")
    assert zoe.where == "Bluesky" and zoe.jump_url and "bsky.app/profile/" in zoe.jump_url
    md = render_markdown(recap)
    assert f"[on Bluesky](<{zoe.jump_url}>)" in md and "[on Discord](<https://discord.com" in md
    assert "On Discord: " in md and "on Bluesky: 2 people, 3 answers." in md
    assert "zoe.example.com · Bluesky" in md
    html = render_html(recap)
    assert f'href="{zoe.jump_url}">on Bluesky</a>' in html and "<dt>On Bluesky</dt>" in html
    summary = discord_posts(recap, files=[])[0].embeds[0]["description"]
    assert "on Bluesky: 2 people, 3 answers" in summary
    doc = json.loads(render_json(recap))
    assert {m["platform"] for m in doc["messages"]} == {"discord", "bluesky"}


def test_a_host_link_makes_a_person_on_both_platforms_one_participant() -> None:
    ana = sc.PEOPLE["ana"].id
    recap = build_recap(two_platform_input({-101: ana}))
    unlinked = build_recap(two_platform_input())
    assert recap.stats.participants == unlinked.stats.participants - 1
    [person] = [p for p in recap.participants if p.user_id == ana]
    assert person.name == "Ana" and person.platforms == ("discord", "bluesky")
    assert person.elsewhere == "Discord and Bluesky"
    on_bluesky = next(m for m in recap.messages if m.text.startswith("A1 Ana, on Bluesky"))
    assert on_bluesky.author == "Ana" and on_bluesky.where == "Bluesky"
    assert recap.stats.per_platform["bluesky"].participants == 2  # Ana counts there too


def test_the_public_site_leaves_out_an_account_hidden_from_logged_out_readers() -> None:
    rows = [
        *sc.stored_rows(),
        bluesky(-1, -100, "zoe.example.com", ZOE_DID, "A1 Zoe in the open", 1),
        replace(
            bluesky(-3, -101, "quiet.example.com", ANA_DID, "A1 for logged-in eyes", 1),
            origin=PostOrigin("bluesky", "at://x", ANA_DID, "quiet.example.com", public=False),
        ),
    ]
    inp = sc.stored_input(rows)
    private = build_recap(inp)  # the hosts' own files keep it
    assert any(m.text == "A1 for logged-in eyes" for m in private.messages)
    site = build_recap(inp, public=True)
    html = render_html(site)
    assert "logged-in eyes" not in html and "quiet.example.com" not in html
    assert "A1 Zoe in the open" in html
    assert site.stats.per_platform["bluesky"].answers == 2  # it still counts
