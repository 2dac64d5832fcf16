"""Drafting topic files from prep posts: fixtures with exact expectations, rules, CLI, errors."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli import prompts_draft
from bot.config import Settings
from bot.drafting import (
    Draft,
    DraftError,
    decode_source,
    detect_kind,
    draft_as_data,
    draft_topic,
    render_draft_yaml,
)
from bot.drafting._meta import find_hosts, strip_site_suffix
from bot.drafting._questions import clean_question, fit
from bot.drafting._render import _scalar
from bot.topics import POST_LIMIT, Severity, check_topic, load_catalog, load_topic_file

FIXTURES = Path(__file__).parent / "fixtures" / "prep_posts"
CHAT_DATES = [date(2026, 11, 3) + timedelta(weeks=i) for i in range(52)]  # Tuesdays
TAKEN = {date(2026, 11, 3)}
NEXT_FREE = date(2026, 11, 10)
SETTINGS = Settings.model_validate(
    {"chats": [{"name": "leadershipchat", "guild_id": 1, "channels": {"chat": 2}}]}
)
ROOM = prompts_draft.question_room(SETTINGS.chats[0])  # 7 with the default run of show


def draft_file(name: str, **overrides: object) -> Draft:
    path = FIXTURES / name
    text = decode_source(path.read_bytes(), name)
    options: dict[str, object] = {
        "chat_dates": CHAT_DATES,
        "taken_dates": TAKEN,
        "max_questions": ROOM,
    }
    options.update(overrides)
    return draft_topic(text, detect_kind(text, name), **options)  # type: ignore[arg-type]


EXPECTED: dict[str, dict[str, Any]] = yaml.safe_load(
    (FIXTURES / "expected.yaml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_draft(name: str) -> None:
    want = EXPECTED[name]
    draft = draft_file(name)
    assert draft.title == want["title"]
    assert draft.date == want["date"]
    assert list(draft.hosts) == want["hosts"]
    assert draft.question_texts == want["questions"]
    assert [q.text for q in draft.extra_questions] == want.get("extra", [])
    if "date_note" in want:
        assert draft.date_note is not None and want["date_note"] in draft.date_note
    notes = " ".join(draft.notes)
    assert (want["note"] in notes) if "note" in want else not notes


def test_enough_fixtures_of_every_shape() -> None:
    assert len(EXPECTED) >= 6
    assert {Path(name).suffix for name in EXPECTED} == {".txt", ".md", ".html"}
    assert any(len(w["questions"]) + len(w.get("extra", [])) >= 15 for w in EXPECTED.values())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_draft_is_a_valid_topic_file(name: str, tmp_path: Path) -> None:
    text = render_draft_yaml(draft_file(name, prep_url="https://example.com/post"))
    assert yaml.safe_load(text) == draft_as_data(draft_file(name)) | {
        "prep_post": "https://example.com/post"
    }
    path = tmp_path / "prompts" / "draft.yaml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    topic = load_topic_file(path)
    assert [q.text for q in topic.questions] == EXPECTED[name]["questions"]
    assert check_topic(topic, SETTINGS.chats[0]) == []  # no errors, not even length warnings
    assert load_catalog([path.parent], SETTINGS).problems == []


def test_drafts_comment_what_is_unsure() -> None:
    text = render_draft_yaml(draft_file("no-questions.txt"))
    assert "# NOTE: the post asks no questions" in text
    assert "date: 2026-11-10  # check: no chat date found in the post" in text
    assert "hosts: []  # check: no co-hosts named in the post" in text
    assert "# prep_post:" in text
    long = render_draft_yaml(draft_file("first-90-days-copied.txt"))
    assert "  # shortened to fit a 280-character post (lead-in dropped); check\n" in long
    assert "# More questions from the post" in long
    assert '#  - Am I allowed to say "I don\'t know" in my first month?' in long


def test_room_for_questions() -> None:
    assert ROOM == 7  # 5m, 14m, ... 59m: an 8th question would come after the close
    assert len(draft_file("first-90-days-copied.txt", max_questions=8).questions) == 8
    assert len(draft_file("first-90-days-copied.txt", max_questions=20).questions) == 8
    tight = SETTINGS.chats[0].model_copy(
        update={
            "run_of_show": SETTINGS.chats[0].run_of_show.model_copy(
                update={"spacing": timedelta(minutes=15)}
            )
        }
    )
    assert prompts_draft.question_room(tight) == 4


def test_date_override_and_chat_name_and_url() -> None:
    draft = draft_file(
        "reorg-names-date.txt",
        date_override=date(2027, 1, 5),
        chat_name="leadershipchat",
        prep_url="https://example.com/reorg",
        hashtag="#LeadChat",
    )
    data = yaml.safe_load(render_draft_yaml(draft))
    assert data["date"] == date(2027, 1, 5) and draft.date_note is None
    assert data["chat"] == "leadershipchat" and data["prep_post"] == "https://example.com/reorg"
    assert "`Q1: <text> #LeadChat`" in render_draft_yaml(draft)


def dated(sentence: str, taken: set[date] | None = None) -> tuple[date, str | None]:
    body = f"Title\n\nA paragraph long enough to count as the post's own prose here. {sentence}"
    draft = draft_topic(body, "text", chat_dates=CHAT_DATES, taken_dates=taken or set())
    return draft.date, draft.date_note


def test_dates_named_in_the_post() -> None:
    assert dated("Join us on 11/24 at 8 pm ET.")[0] == date(2026, 11, 24)
    assert dated("Join us Tuesday, Dec. 8th, 2026 for the chat.")[0] == date(2026, 12, 8)
    assert dated("See you on the 17th of November at 8pm ET.")[0] == date(2026, 11, 17)
    assert dated("The chat is on 2027-03-02.")[0] == date(2027, 3, 2)
    assert dated("Join us next Tuesday!", {date(2026, 11, 3)})[0] == date(2026, 11, 10)
    day, note = dated("Join us on 11/25 at 8 pm ET.")  # a Wednesday: not a chat date
    assert day == date(2026, 11, 3) and note is not None and '"11/25"' in note
    # Dates in anecdotes do not count, even when they fall on a chat day.
    assert dated("On November 24 my team shipped.")[1] == (
        "check: no chat date found in the post; this is the next chat date without a topic"
    )
    assert dated("This Tuesday, November 24, we talk trust.")[0] == date(2026, 11, 24)
    day, note = dated("Join us on 11/3 at 8 pm ET.", {date(2026, 11, 3)})
    assert day == date(2026, 11, 3) and note is not None and "already has this date" in note


def test_titles_lose_site_names() -> None:
    assert strip_site_suffix("Serving Leadership – Jane's Blog") == "Serving Leadership"
    assert strip_site_suffix("Trust at Work | Site") == "Trust at Work"
    assert strip_site_suffix("Northwind | Real Title", "Northwind") == "Real Title"
    assert strip_site_suffix("Leading Up - What Your Boss Needs") == (
        "Leading Up - What Your Boss Needs"
    )
    assert strip_site_suffix("Leading Up - janedoe.com") == "Leading Up"
    page = (
        "<html><head><title>Trust at Work | Site</title></head><body><p><svg><title>Share</title>"
        "</svg>A paragraph long enough to be the post's own prose.</p></body></html>"
    )
    assert draft_topic(page, None, chat_dates=CHAT_DATES).title == "Trust at Work"
    markdown = "# Leading Up – Jane's Blog\n\nA paragraph long enough to be the post's own prose."
    assert draft_topic(markdown, None, chat_dates=CHAT_DATES).title == "Leading Up"


@pytest.mark.parametrize(
    ("sentence", "hosts"),
    [
        ("This week my co-host Jane Doe and I want to talk.", ["Jane Doe"]),
        (
            "Co-hosts Jane Doe, Sam Lee, and Ana Ruiz will join.",
            ["Jane Doe", "Sam Lee", "Ana Ruiz"],
        ),
        (
            "My co-host and good friend, the amazing Priya Raman (@priya), picked it.",
            ["Priya Raman"],
        ),
        ("This week, Marcus O'Neill, my co-host, picked the topic.", ["Marcus O'Neill"]),
        ("With our guest host Dr. Lee. Then we chat.", ["Dr. Lee"]),
        ("Join Sam Lee and me at #LeadershipChat this Tuesday!", ["Sam Lee"]),
        ("My co-host and I will be there on Tuesday.", []),
        ("I will host it on Tuesday with Jane.", []),
    ],
)
def test_co_hosts(sentence: str, hosts: list[str]) -> None:
    assert find_hosts([sentence]) == hosts


@pytest.mark.parametrize(
    ("sentence", "question"),
    [
        ("So, what do you think about it?", "What do you think about it?"),
        ("Now how do you lead a team of peers?", "How do you lead a team of peers?"),
        ("Let me ask you; what is your why?", "What is your why?"),
        ("“Why does this matter to you?”", "Why does this matter to you?"),
        ('She asked, "What would you do differently?"', "What would you do differently?"),
        ("Q3: How do you build trust?", "How do you build trust?"),
        ("Here’s my question: what’s your first move?", "What’s your first move?"),
        ("Anybody know??", None),
        ("Anybody know a good book on this?", None),
        ("Leadership is hard, right?", None),
        ("Leading is hard, isn’t it?", None),
        ("Sound familiar?", None),
        ("Who knew?", None),
        ("What was I thinking?", None),
        ("Want to subscribe to the newsletter?", None),
        ("This is not a question.", None),
        ("Really?!", None),
    ],
)
def test_question_cleaning(sentence: str, question: str | None) -> None:
    assert clean_question(sentence) == question


def test_overlong_question_without_a_lead_in_is_cut_with_a_note() -> None:
    text = "Why " + "do we keep on " * 30 + "doing this?"
    fitted, note = fit(text, "#LeadershipChat")
    assert len(f"Q12: {fitted} #LeadershipChat") <= POST_LIMIT
    assert fitted.endswith("…?") and note is not None and "rewrite" in note


def test_emoji_after_a_question_and_author_bios() -> None:
    body = (
        "Going Quiet\n\nWhen pressure rises, many leaders stop talking to their teams.\n\n"
        "What does your team hear when you say nothing? 🤔 How long can a team run on silence? 😅"
        "\n\nJane Doe is a leadership coach and the author of Loud Enough. Looking for a speaker"
        " for your next offsite?\n"
    )
    assert draft_topic(body, "text", chat_dates=CHAT_DATES).question_texts == [
        "What does your team hear when you say nothing?",
        "How long can a team run on silence?",
    ]


def test_duplicates_keep_the_first_wording() -> None:
    body = (
        "Title\n\nHow do you build trust on a new team? How do you build trust on a new team?"
        " So, how do you build trust on a brand new team?"
    )
    draft = draft_topic(body, "text", chat_dates=CHAT_DATES)
    assert draft.question_texts == ["How do you build trust on a new team?"]


@pytest.mark.parametrize(
    ("text", "name", "kind"),
    [
        ("<!DOCTYPE html><html><p>x</p></html>", None, "html"),
        ("# Title\n\n- a\n- b\n", None, "markdown"),
        ("Just some words.\n\nMore words.", None, "text"),
        ("# Title", "post.txt", "text"),
        ("plain", "post.HTML", "html"),
        ("plain", "https://example.com/p.md?x=1", "markdown"),
    ],
)
def test_detect_kind(text: str, name: str | None, kind: str) -> None:
    assert detect_kind(text, name) == kind


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_yaml_scalars_read_back_unchanged(text: str) -> None:
    assert yaml.safe_load(f"q: {_scalar(text)}")["q"] == text


@given(st.text(alphabet=st.sampled_from(list("ab ?.!,;:'\"\n#<>-*Q1")), max_size=400))
@settings(max_examples=200, deadline=None)
def test_any_text_gives_a_draft_or_a_clear_error(text: str) -> None:
    try:
        draft = draft_topic(text, None, chat_dates=CHAT_DATES)
    except DraftError as exc:
        assert str(exc)
        return
    assert 1 <= len(draft.questions) <= 8
    for q in draft.questions:
        assert q.text.endswith("?") and len(f"Q12: {q.text} {draft.hashtag}") <= POST_LIMIT


# Errors and the CLI


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not-utf8.txt", "not-utf8.txt is not UTF-8 text (byte 0xe9 at offset 3)"),
        ("empty.txt", "the post is empty"),
        ("only-boilerplate.html", "no post text found (only navigation, share buttons"),
    ],
)
def test_unusable_input_is_a_clear_error(name: str, message: str) -> None:
    with pytest.raises(DraftError, match=message.replace("(", r"\(").replace(")", r"\)")):
        draft_file(name)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "config.yaml").write_text(
        "prompts_dir: prompts\n"
        "chats:\n  - name: leadershipchat\n    guild_id: 1\n    channels: {chat: 2}\n",
        encoding="utf-8",
    )
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    (prompts / "2026-11-03-taken.yaml").write_text(
        "title: Taken\ndate: 2026-11-03\nquestions:\n  - What now for you?\n", encoding="utf-8"
    )
    monkeypatch.setattr(prompts_draft, "_now", lambda: datetime(2026, 11, 1, tzinfo=UTC))
    return tmp_path


def cli(workdir: Path, *argv: str) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=Path)
    prompts = parser.add_subparsers().add_parser("prompts").add_subparsers()
    prompts_draft.add_parser(prompts)
    args = parser.parse_args(["--config", str(workdir / "config.yaml"), "prompts", *argv])
    args.config_given = True
    code: int = args.func(args)
    return code


def test_cli_writes_a_draft_that_validates(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = str(FIXTURES / "no-questions.txt")
    assert cli(workdir, "draft", source, "-o", str(workdir / "prompts")) == 0
    written = workdir / "prompts" / "2026-11-10-the-leader-who-speaks-last.yaml"
    assert "wrote" in capsys.readouterr().err
    assert load_topic_file(written).date == date(2026, 11, 10)  # 11-03 is taken
    catalog = load_catalog([workdir / "prompts"], SETTINGS)
    assert [p for p in catalog.problems if p.severity is Severity.ERROR] == []
    assert cli(workdir, "draft", source, "-o", str(written)) == 2
    assert "already exists" in capsys.readouterr().err
    assert cli(workdir, "draft", source, "-o", str(written), "--force", "--date", "2026-12-08") == 0
    assert load_topic_file(written).date == date(2026, 12, 8)


def test_cli_prints_to_stdout_with_url(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = str(FIXTURES / "serving-first.html")
    assert (
        cli(workdir, "draft", source, "--url", "https://example.com/s", "--chat", "leadershipchat")
        == 0
    )
    data = yaml.safe_load(capsys.readouterr().out)
    assert data["prep_post"] == "https://example.com/s" and data["chat"] == "leadershipchat"
    assert data["date"] == date(2026, 11, 10)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["draft", str(FIXTURES / "not-utf8.txt")], "is not UTF-8 text"),
        (["draft", str(FIXTURES / "empty.txt")], "the post is empty"),
        (["draft", str(FIXTURES / "only-boilerplate.html")], "no post text found"),
        (["draft", "missing.txt"], "missing.txt: no such file"),
        (["draft", str(FIXTURES / "feedback-gift.md"), "--chat", "nope"], "no chat named 'nope'"),
    ],
)
def test_cli_errors_exit_2(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert cli(workdir, *argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err


async def test_fetch_source_uses_the_declared_charset_and_reports_failures() -> None:
    from aiohttp import web

    from bot.drafting.fetch import fetch_source

    async def page(request: web.Request) -> web.Response:
        body = "<p>Café talk: what do you owe your team?</p>".encode("latin-1")
        return web.Response(body=body, content_type="text/html", charset="latin-1")

    app = web.Application()
    app.router.add_get("/post", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = "http://127.0.0.1:{}".format(*runner.addresses[0][1:2])
    try:
        assert "Café talk" in await fetch_source(f"{base}/post")
        with pytest.raises(DraftError, match="answered 404"):
            await fetch_source(f"{base}/missing")
    finally:
        await runner.cleanup()
    with pytest.raises(DraftError, match="only http"):
        await fetch_source("ftp://example.com/post")
