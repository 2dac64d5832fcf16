"""Recaps from DiscordChatExporter exports: the same scenario gives the same attribution as live
capture, and the window/question detection works on what hosts actually export."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.recap.build import build_recap
from bot.recap.dce import ExportError, ExportOptions, input_from_exports, load_export
from bot.recap.export import recap_dict
from tests.fixtures.recap import scenario as sc

OPTIONS = ExportOptions(
    hosts=("Hana",),
    exclude=("eve",),
    hide=frozenset({sc.message_id("hidden")}),
    title=sc.TITLE,
)


def export_doc(*exports: dict[str, Any], options: ExportOptions = OPTIONS) -> dict[str, Any]:
    return recap_dict(build_recap(input_from_exports(list(exports), options)))


def stored_doc() -> dict[str, Any]:
    return recap_dict(build_recap(sc.stored_input()))


def test_export_gives_the_same_attribution_as_live_capture() -> None:
    live, exported = stored_doc(), export_doc(*sc.dce_exports())
    assert exported["messages"] == live["messages"]  # kind, questions, labels, late, replies...
    assert exported["questions"] == live["questions"]  # threads, top answers, counts
    assert exported["intros"] == live["intros"] and exported["unmatched"] == live["unmatched"]
    assert exported["pairs"] == live["pairs"]
    for key in ("start_at", "end_at", "late_until", "hashtag", "chat", "date", "hosts", "title"):
        assert exported[key] == live[key], key


def test_export_recap_says_history_is_unknown_but_counts_the_same() -> None:
    live, exported = stored_doc(), export_doc(*sc.dce_exports())
    assert exported["source"] == "export" and exported["history_known"] is False
    assert exported["timezone"] == "-04:00"  # the exporter's offset, no zone name in exports
    same = ("participants", "messages", "answers", "late_answers", "answers_per_question")
    assert {k: exported["stats"][k] for k in same} == {k: live["stats"][k] for k in same}
    assert [p["name"] for p in exported["participants"]] == [
        p["name"] for p in live["participants"]
    ]


def test_question_thread_export_is_attributed_to_its_question() -> None:
    main, thread = sc.dce_exports()
    with_thread = {m["id"]: m for m in export_doc(main, thread)["messages"]}
    fay = with_thread[str(sc.message_id("thread_fay"))]
    assert (fay["kind"], fay["questions"]) == ("answer", [2])
    without = {m["id"] for m in export_doc(main)["messages"]}
    assert str(sc.message_id("thread_fay")) not in without


def test_excluded_member_is_absent_and_unnamed_in_mentions() -> None:
    doc = export_doc(*sc.dce_exports())
    text = json.dumps(doc, ensure_ascii=False)
    assert '"Eve"' not in text and "Eve here" not in text and '"105"' not in text
    dee = next(m for m in doc["messages"] if m["id"] == str(sc.message_id("intro_dee")))
    assert dee["text"].startswith("@member great")


def test_a_members_q_post_is_not_a_question_but_a_hosts_is() -> None:
    main, _ = sc.dce_exports()
    without_hosts = export_doc(main, options=ExportOptions(title="t"))
    # Hana is no host now: her "A2:" answer is still an answer, nothing else changes.
    assert [q["number"] for q in without_hosts["questions"]] == [1, 2, 3, 4, 5, 6]
    gus = next(m for m in without_hosts["messages"] if m["id"] == str(sc.message_id("member_q")))
    assert gus["kind"] == "discussion"


def test_questions_posted_by_a_host_by_hand_are_found() -> None:
    main, _ = sc.dce_exports()
    hand = copy.deepcopy(main)
    hana = {"id": "200", "name": "hana", "nickname": "Hana", "isBot": False}
    for m in hand["messages"]:
        if m["author"]["isBot"]:
            m["author"] = dict(hana)
    with pytest.raises(ExportError, match="--host"):
        export_doc(hand, options=ExportOptions(title="t"))  # no host named: no questions
    by_id = export_doc(hand, options=ExportOptions(hosts=("200",), title="t"))
    assert [q["number"] for q in by_id["questions"]] == [1, 2, 3, 4, 5, 6]
    assert by_id["hosts"] == ["Hana"]
    assert by_id["start_at"] == "2024-05-08T00:00:00Z", "the host's welcome post starts the chat"


def test_without_a_welcome_post_the_chat_starts_5_minutes_before_q1() -> None:
    main, _ = sc.dce_exports()
    main = copy.deepcopy(main)
    main["messages"] = [m for m in main["messages"] if not m["content"].startswith("Welcome")]
    doc = export_doc(main)
    assert doc["start_at"] == "2024-05-08T00:00:00Z"
    start = datetime(2024, 5, 7, 23, 0, tzinfo=UTC)
    early = export_doc(main, options=ExportOptions(hosts=("Hana",), start=start))
    ana = next(m for m in early["messages"] if m["id"] == str(sc.message_id("early")))
    assert ana["kind"] == "intro", "an explicit --start widens the intro window"


def test_question_texts_and_hashtag_come_from_the_posts_without_a_topic() -> None:
    main, _ = sc.dce_exports()
    doc = export_doc(main, options=ExportOptions())
    assert [q["text"] for q in doc["questions"]] == list(sc.QUESTIONS)
    assert doc["hashtag"] == "#LeadershipChat"
    assert doc["title"] == "leadershipchat" and doc["chat"] == "leadershipchat"


def test_late_window_and_duration_options() -> None:
    main, _ = sc.dce_exports()
    short = export_doc(main, options=replace_opts(late_window=timedelta(minutes=10)))
    ids = {m["id"] for m in short["messages"]}
    assert str(sc.message_id("late_chen")) not in ids, "90 minutes in is past a 10 minute window"
    longer = export_doc(main, options=replace_opts(duration=timedelta(hours=2)))
    chen = next(m for m in longer["messages"] if m["id"] == str(sc.message_id("late_chen")))
    assert chen["late"] is False


def replace_opts(**changes: Any) -> ExportOptions:
    from dataclasses import replace

    return replace(OPTIONS, **changes)


def test_unusable_exports_say_why(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ExportError, match="cannot read a JSON export"):
        load_export(bad)
    bad.write_text('{"channel": {}}', encoding="utf-8")
    with pytest.raises(ExportError, match="no messages list"):
        load_export(bad)
    main, _ = sc.dce_exports()
    no_questions = copy.deepcopy(main)
    no_questions["messages"] = [m for m in main["messages"] if not m["author"]["isBot"]]
    with pytest.raises(ExportError, match="--host"):
        input_from_exports([no_questions])
