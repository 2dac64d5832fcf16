"""DiscordChatExporter exports as another tool (or a careless edit) may write them: every field of
the wrong type, out of range or nested without end is an ExportError naming file, message and
field, never another exception, and nothing an export holds takes unbounded time or memory."""

from __future__ import annotations

import copy
import json
import logging
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.recap.build import build_recap
from bot.recap.dce import ExportError, ExportOptions, input_from_exports, load_export
from bot.recap.export import render_json
from bot.recap.markdown import render_markdown
from tests.fixtures.recap import scenario as sc

OPTIONS = ExportOptions(hosts=("Hana",), title="t")
# Quick enough for a loaded 2-core CI machine; the deadline only catches runaway inputs.
FUZZ = settings(
    max_examples=120,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def main_export() -> dict[str, Any]:
    return copy.deepcopy(sc.dce_exports()[0])


def member_message(export: dict[str, Any]) -> dict[str, Any]:
    """The first message by a member (not the bot)."""
    return next(m for m in export["messages"] if not m["author"]["isBot"])


def write(tmp_path: Path, text: str, name: str = "chat.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- what was found -------------------------------------------------------------------------


WRONG_TYPES: dict[str, tuple[str, Any, str]] = {
    "author as text": ("author", "Ana", "author: expected an object, got text"),
    "reference as text": ("reference", "1234", "reference: expected an object, got text"),
    "reactions of text": ("reactions", ["x"], "reactions[0]: expected an object, got text"),
    "mentions a number": ("mentions", 5, "mentions: expected a list, got a number"),
    "year 9999": ("timestamp", "9999-12-31T23:59:59-05:00", "timestamp: '9999-12-31T23:59:59"),
    "year 1": ("timestamp", "0001-01-01T00:00:00+05:00", "not a time a Discord message can have"),
    "timestamp a number": ("timestamp", 1715126400, "timestamp: expected a timestamp"),
    "type a list": ("type", ["Default"], "type: expected text like 'Default', got a list"),
    "content an object": ("content", {"text": "hi"}, "content: expected text, got an object"),
    "content a number": ("content", 12345, "content: expected text, got a number"),
    "author name a number": ("author.name", 5, "author.name: expected text, got a number"),
    "nickname true": ("author.nickname", True, "author.nickname: expected text, got true/false"),
    "isBot text": ("author.isBot", "false", "author.isBot: expected true or false, got text"),
    "id too big": ("id", "9" * 400, "is not a Discord id"),
    "id negative": ("id", -5, "is not a Discord id"),
    "author id a list": ("author.id", [1], "author.id: expected an id (digits), got a list"),
    "mention without id": ("mentions", [{"name": "x"}], "mentions[0].id: missing (expected an id"),
    "id null": ("id", None, "id: missing (expected an id: digits)"),
    "huge content": ("content", "x" * 50_000, "50,000 characters"),
    "many reactions": ("reactions", [{"count": 1}] * 5000, "5,000 entries"),
}


def set_field(message: dict[str, Any], key: str, value: Any) -> None:
    *parents, last = key.split(".")
    target = message
    for p in parents:
        target = target[p]
    target[last] = value


@pytest.mark.parametrize("case", WRONG_TYPES)
def test_a_field_of_the_wrong_type_is_an_error_naming_it(case: str) -> None:
    key, value, message = WRONG_TYPES[case]
    export = main_export()
    target = member_message(export)
    set_field(target, key, value)
    with pytest.raises(ExportError) as caught:
        input_from_exports([export], OPTIONS, sources=["chat.json"])
    text = str(caught.value)
    assert text.startswith("chat.json: messages["), text
    assert message in text


@pytest.mark.parametrize(
    ("count", "message"),
    [("Infinity", "Infinity is not a JSON number"), ("1e400", "expected a count"),
     ("-3", "expected a count"), ("2.5", "expected a count"), ('"many"', "expected a count")],
)  # fmt: skip
def test_reaction_counts_that_are_not_counts(tmp_path: Path, count: str, message: str) -> None:
    export = main_export()
    member_message(export)["reactions"] = [{"emoji": {"name": "x"}, "count": 1}]
    text = json.dumps(export).replace('"count": 1}', f'"count": {count}}}', 1)
    with pytest.raises(ExportError, match=message):
        input_from_exports([load_export(write(tmp_path, text))], OPTIONS)


def test_whole_number_floats_are_counts() -> None:
    export = main_export()
    member_message(export)["reactions"] = [{"emoji": {"name": "x"}, "count": 3.0}]
    assert sum(r.reactions for r in input_from_exports([export], OPTIONS).messages) >= 3


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_json_nested_without_end_is_refused(tmp_path: Path, depth: int) -> None:
    nested = "[" * depth + "]" * depth
    for text in (nested, '{"messages": [], "channel": ' + nested + "}"):
        with pytest.raises(ExportError, match="nested too deeply"):
            load_export(write(tmp_path, text))


def test_unreadable_and_endless_files(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"chat.json:3:1: cannot read a JSON export"):
        load_export(write(tmp_path, '{\n"messages": [\n}'))
    with pytest.raises(ExportError, match="not UTF-8"):
        (tmp_path / "latin.json").write_bytes(b'{"messages": ["\xe9"]}')
        load_export(tmp_path / "latin.json")
    with pytest.raises(ExportError, match="cannot read"):
        load_export(tmp_path)  # a folder
    with pytest.raises(ExportError, match="larger than"):
        load_export(Path("/dev/zero"))  # never ends: read up to the limit, then refused


def test_a_question_number_in_the_billions_takes_no_memory(
    caplog: pytest.LogCaptureFixture,
) -> None:
    export = main_export()
    bot_post = next(m for m in export["messages"] if m["author"]["isBot"])
    spam = copy.deepcopy(bot_post)
    spam["id"], spam["content"] = "999", "Q999999999: how many questions?"
    export["messages"].append(spam)
    tracemalloc.start()
    try:
        made = input_from_exports([export], OPTIONS)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 30 * 2**20, f"{peak / 2**20:.0f} MB"
    assert len(made.session.topic.questions) == len(sc.QUESTIONS)
    assert "Q999999999" in caplog.text and "read as a plain message" in caplog.text


def test_duplicate_message_ids_are_counted_once_and_said(
    caplog: pytest.LogCaptureFixture,
) -> None:
    main, thread = sc.dce_exports()
    once = input_from_exports([main, thread], OPTIONS)
    with caplog.at_level(logging.WARNING, "bot.recap.dce"):
        twice = input_from_exports([main, thread, main], OPTIONS, sources=["a.json", "b.json"])
    assert [r.id for r in twice.messages] == [r.id for r in once.messages]
    assert "appears 2 times (a.json, export 3); it is counted once" in caplog.text
    repeated = len({m["id"] for m in main["messages"]})
    assert len(caplog.records) == 6, "five named, then a count: not one line per message"
    assert f"... and {repeated - 5} more repeated message ids" in caplog.text
    caplog.clear()
    edited = copy.deepcopy(main)
    clash = member_message(edited)
    twin = dict(clash, content="a different message with the same id")
    edited["messages"].append(twin)
    with caplog.at_level(logging.WARNING, "bot.recap.dce"):
        input_from_exports([edited], OPTIONS)
    assert f"message id {clash['id']} appears 2 times" in caplog.text
    assert "the copies differ, the earliest is kept" in caplog.text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start": datetime(9999, 12, 31, tzinfo=UTC)}, "not a time a chat can have"),
        (
            {"duration": timedelta(days=366)},
            "--duration 366d: a chat lasts more than 0s and at most 7d",
        ),
        ({"duration": timedelta(days=999_999_999)}, "--duration 999999999d: a chat lasts"),
        ({"duration": timedelta(0)}, "--duration 0s: a chat lasts more than 0s"),
        ({"late_window": timedelta(days=999_999_999)}, "--late-window 999999999d: at most 366d"),
    ],
)
def test_options_out_of_range(change: dict[str, Any], message: str) -> None:
    from dataclasses import replace

    with pytest.raises(ExportError, match=message):
        input_from_exports([main_export()], replace(OPTIONS, **change))


# -- properties -----------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["", "0", "123", "2024-05-07T20:05:00-04:00", "9999-12-31", "Q1: x"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
FIELDS = [
    "id", "type", "timestamp", "timestampEdited", "content", "author", "author.id",
    "author.name", "author.nickname", "author.isBot", "reactions", "mentions", "reference",
    "reference.messageId",
]  # fmt: skip
TEXTS = st.sampled_from(
    ["A1: yes", "Q1: first?", "Q2 - second", "a2 and A3: both", "@Ana hi", "Q999999999: x",
     "\ud800 half a character", "bell \x07 and nul \x00", "Q3:" + " " * 5000 + "x #tag"]
) | st.text(max_size=60)  # fmt: skip


@st.composite
def exports(draw: st.DrawFn) -> dict[str, Any]:
    """The scenario's export with messages dropped, repeated, re-texted, and a few fields broken."""
    export = main_export()
    messages = export["messages"]
    if draw(st.integers(0, 3)):  # mostly keep everything, in order
        chosen = copy.deepcopy(messages)
    else:
        picked = draw(st.lists(st.integers(0, len(messages) - 1), max_size=len(messages) + 3))
        chosen = [copy.deepcopy(messages[i]) for i in picked]
    for message in chosen:
        if draw(st.integers(0, 9)) == 0:
            message["content"] = draw(TEXTS)
    for _ in range(draw(st.sampled_from([0, 0, 1, 2])) if chosen else 0):
        message = chosen[draw(st.integers(0, len(chosen) - 1))]
        key = draw(st.sampled_from(FIELDS))
        parent = message.get(key.split(".")[0]) if "." in key else message
        if isinstance(parent, dict):
            parent[key.split(".")[-1]] = draw(JSON_VALUES)
    export["messages"] = chosen
    if draw(st.integers(0, 9)) == 0:
        export[draw(st.sampled_from(["channel", "guild", "messages"]))] = draw(JSON_VALUES)
    return export


NEAR = (sc.START - timedelta(hours=2)).astimezone(UTC).replace(tzinfo=None)


@st.composite
def option_sets(draw: st.DrawFn) -> ExportOptions:
    """Mostly sensible options (so most examples reach attribution), now and then wild ones."""
    wild = draw(st.integers(0, 9)) == 0
    start = None
    if draw(st.integers(0, 3)) == 0:
        lo, hi = (datetime.min, datetime.max) if wild else (NEAR, NEAR + timedelta(hours=4))
        start = draw(st.datetimes(lo, hi)).replace(tzinfo=UTC)
    longest = timedelta(days=30) if wild else timedelta(hours=3)
    return ExportOptions(
        hosts=draw(st.sampled_from([(), ("Hana",), ("hana", "104")])),
        exclude=draw(st.sampled_from([(), ("eve",)])),
        start=start,
        duration=draw(st.timedeltas(timedelta(0) if wild else timedelta(minutes=1), longest)),
        late_window=draw(st.timedeltas(timedelta(0), longest * 14)),
    )


def clean_or_refused(run: Any) -> Any:
    try:
        made = run()
    except ExportError:
        event("refused")
        return None
    event("clean")
    return made


@FUZZ
@given(export=exports(), options=option_sets())
def test_any_export_gives_a_recap_or_an_export_error(
    export: dict[str, Any], options: ExportOptions
) -> None:
    made = clean_or_refused(lambda: input_from_exports([export], options))
    if made is not None:
        recap = build_recap(made)
        assert len(recap.questions) <= 50
        assert {m.id for m in made.messages} <= {int(m["id"]) for m in export["messages"]}


@FUZZ
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_load_as_an_export_or_an_export_error(tmp_path_factory: Any, data: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "export.json"
    path.write_bytes(data)
    loaded = clean_or_refused(lambda: load_export(path))
    assert loaded is None or isinstance(loaded, dict)


@FUZZ
@given(export=exports())
def test_any_export_written_to_a_file_loads_and_builds_or_is_refused(
    tmp_path_factory: Any, export: dict[str, Any]
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")  # NaN / Infinity written as such
    made = clean_or_refused(lambda: input_from_exports([load_export(path)], OPTIONS))
    if made is not None:
        recap = build_recap(made)
        render_markdown(recap, None).encode()  # every text is writable as UTF-8
        render_json(recap).encode()


def test_an_export_of_too_many_values_is_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """100 MB of `{},{},...` grew to 2.7 GB while parsing: the values are counted first."""
    from bot.recap import dce_read

    def never(*_: Any, **__: Any) -> Any:
        raise AssertionError("parsed anyway")

    many = '{"messages":[' + ",".join(["{}"] * dce_read.MAX_JSON_VALUES) + "]}"
    path = write(tmp_path, many)
    assert path.stat().st_size < dce_read.MAX_FILE_BYTES
    monkeypatch.setattr(dce_read.json, "loads", never)
    with pytest.raises(
        ExportError, match=r"holds up to 3,000,00\d JSON values, more than the 3,000,000"
    ):
        load_export(path)


def test_the_values_of_a_real_export_are_counted_generously() -> None:
    """The count is an upper bound: every value of an export is counted, none twice less."""
    doc = main_export()
    data = json.dumps(doc).encode()
    counted = data.count(b",") + data.count(b":") + data.count(b"[") + 1

    def values(v: Any) -> int:
        if isinstance(v, dict):
            return 1 + sum(values(x) for x in v.values())
        if isinstance(v, list):
            return 1 + sum(values(x) for x in v)
        return 1

    assert values(doc) <= counted <= 3 * values(doc)


def test_a_fifo_nobody_writes_to_is_an_empty_export_not_a_hang(
    tmp_path: Path, no_writer: Callable[..., Any]
) -> None:
    """`--from-export some-fifo` with no program writing to it waited forever in open();
    a pipe a program writes to (`<(cat chat.json)`) is still read."""
    import os

    fifo = tmp_path / "export.json"
    os.mkfifo(fifo)
    with pytest.raises(ExportError, match="cannot read a JSON export"):
        no_writer(fifo, lambda: load_export(fifo))
