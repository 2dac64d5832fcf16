"""Golden scenario: the hand-written chat in fixtures/recap/scenario.py, checked field by field
in recap.json (the file a blog or another tool reads)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from bot.recap.build import build_recap
from bot.recap.export import render_json
from tests.fixtures.recap import scenario as sc


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return json.loads(render_json(build_recap(sc.stored_input())))


def by_key(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    ids = {str(sc.message_id(s.key)): s.key for s in sc.SCRIPT}
    return {ids[m["id"]]: m for m in doc["messages"]}


def test_scenario_is_big_enough_to_cover_the_rules() -> None:
    assert len(sc.SCRIPT) >= 40


def test_every_message_is_attributed_as_written_by_hand(doc: dict[str, Any]) -> None:
    shown = by_key(doc)
    assert set(shown) == set(sc.EXPECT), "exactly the expected messages appear"
    for key, (kind, questions, late, unmatched) in sc.EXPECT.items():
        m = shown[key]
        assert (m["kind"], tuple(m["questions"]), m["late"], tuple(m["unmatched_labels"])) == (
            kind,
            questions,
            late,
            unmatched,
        ), key


def test_bots_opted_out_hidden_deleted_and_outside_messages_are_absent(
    doc: dict[str, Any],
) -> None:
    text = json.dumps(doc, ensure_ascii=False)
    for gone in ("early hello", "buy my course", "I will delete this", "opted-out answer"):
        assert gone not in text
    assert "Eve here" not in text and "way too late" not in text
    assert "LeadBot" not in text and "Welcome to #LeadershipChat" not in text
    names = {p["name"] for p in doc["participants"]}
    assert names == {"Ana", "Ben", "Chen", "Dee", "Fay", "Gus", "Hana"}


def test_messages_carry_labels_reactions_edits_links_and_resolved_mentions(
    doc: dict[str, Any],
) -> None:
    m = by_key(doc)
    assert m["a1a_chen"]["labels"] == ["A1a"]
    assert m["a1a2_chen"]["labels"] == ["A1", "A2"]
    assert m["a2_a9_dee"]["labels"] == ["A2", "A9"]
    assert m["a1_ana"]["reactions"] == 5
    assert m["edited"]["edited"] is True and m["edited"]["text"] == "A2: edited to Q2"
    assert m["a2_ben"]["text"] == "@Ana A2: weekly demos keep everyone honest"
    assert m["intro_dee"]["text"].startswith("@member great"), "opted-out members are not named"
    assert m["a3_chen"]["text"].endswith("@Ben you asked about this last time.")
    assert m["thread_fay"]["jump_url"] == sc.jump_url(
        sc.message_id("thread_fay"), sc.question_post_id(2)
    )
    assert m["re_ana"]["reply_to"] == str(sc.message_id("a1_ana"))
    assert m["re_deleted"]["reply_to"] is None, "the deleted parent is not linked"
    assert m["re_q1"]["reply_to"] is None, "a reply to the question post is top-level"
    assert m["host_a2"]["author_is_host"] is True


def test_questions_in_order_with_post_times_links_and_counts(doc: dict[str, Any]) -> None:
    qs = doc["questions"]
    assert [q["number"] for q in qs] == [1, 2, 3, 4, 5, 6]
    assert [q["text"] for q in qs] == list(sc.QUESTIONS)
    assert qs[0]["posted_at"] == "2024-05-08T00:05:01Z"
    assert qs[1]["jump_url"] == sc.jump_url(sc.question_post_id(2))
    counts = [(q["answers"], q["discussion"], q["late"]) for q in qs]
    assert counts == [(6, 4, 0), (8, 1, 0), (3, 1, 1), (3, 0, 0), (2, 2, 0), (3, 1, 1)]


def test_replies_nest_one_level_under_the_message_they_answer(doc: dict[str, Any]) -> None:
    def ids(*keys: str) -> list[str]:
        return [str(sc.message_id(k)) for k in keys]

    q1 = doc["questions"][0]["threads"]
    assert q1[0] == {"id": ids("a1_ana")[0], "replies": ids("re_ana", "re_dee")}
    roots = [t["id"] for t in q1]
    assert roots == ids(
        "a1_ana", "a1_ben", "a1_chen", "re_q1", "plain_q1", "a1a_chen", "re_deleted", "a1a2_chen"
    )
    q3 = doc["questions"][2]["threads"]
    assert q3[0] == {"id": ids("a3_chen")[0], "replies": ids("re_chen")}
    q5 = doc["questions"][4]["threads"]
    assert {"id": ids("a5_chen")[0], "replies": ids("re_a5")} in q5


def test_top_answers_most_reactions_first_ties_to_the_earliest(doc: dict[str, Any]) -> None:
    top = [q["top"] for q in doc["questions"]]
    ids = {str(sc.message_id(s.key)): s.key for s in sc.SCRIPT}
    named = [[ids[i] for i in t] for t in top]
    assert named[0] == ["a1_ana", "a1_ben", "a1_chen"]  # 5, 5 (later), 2
    assert named[1] == ["a2_ana", "a1a2_chen", "a2_ben"]  # a multi-label answer counts here too
    assert named[2] == ["a3_chen", "a3_dee", "late_dee"]  # tie on 3: the earlier one first
    assert "re_ana" not in named[0], "discussion never ranks as a top answer"


def test_intros_and_unmatched_labels(doc: dict[str, Any]) -> None:
    ids = {str(sc.message_id(s.key)): s.key for s in sc.SCRIPT}
    assert [ids[i] for i in doc["intros"]] == ["intro_ana", "intro_fay", "intro_dee"]
    assert [ids[i] for i in doc["unmatched"]] == ["jump_gun", "a2_a9_dee", "too_early"]


def test_participants_newcomers_streaks_and_who_talked_with_whom(doc: dict[str, Any]) -> None:
    people = {p["name"]: p for p in doc["participants"]}
    assert [p["name"] for p in doc["participants"]] == sorted(people, key=str.casefold)
    assert (people["Ana"]["messages"], people["Ana"]["answers"]) == (8, 5)
    assert (people["Chen"]["messages"], people["Chen"]["answers"]) == (6, 6)
    assert people["Fay"]["newcomer"] is True
    assert [n for n, p in people.items() if p["newcomer"]] == ["Fay"]
    streaks = {n: p["streak"] for n, p in people.items()}
    assert streaks == {"Ana": 3, "Ben": 2, "Chen": 1, "Dee": 2, "Fay": 1, "Gus": 1, "Hana": 3}
    assert people["Hana"]["host"] is True
    assert people["Dee"]["talked_with"] == ["101", "103"]  # Ana (2 replies), then Chen (1)
    pairs = [(p["a_name"], p["b_name"], p["replies"]) for p in doc["pairs"]]
    assert pairs == [("Ana", "Dee", 2), ("Ben", "Chen", 1), ("Chen", "Dee", 1)]


def test_stats(doc: dict[str, Any]) -> None:
    assert doc["stats"] == {
        "participants": 7,
        "newcomers": 1,
        "returning": 6,
        "messages": 38,
        "answers": 24,
        "late_answers": 2,
        "replies": 4,
        "answers_per_question": {"1": 6, "2": 8, "3": 3, "4": 3, "5": 2, "6": 3},
        "busiest_minute": {"at": "2024-05-08T00:06:00Z", "messages": 2},
        "median_answers_per_participant": 3.0,
    }


def test_header_fields(doc: dict[str, Any]) -> None:
    assert doc["schema"] == "leadershipchat-recap" and doc["version"] == 1
    assert (doc["chat"], doc["date"], doc["title"]) == ("leadershipchat", "2024-05-07", sc.TITLE)
    assert (doc["start_at"], doc["end_at"]) == ("2024-05-08T00:00:00Z", "2024-05-08T01:00:00Z")
    assert doc["late_until"] == "2024-05-08T13:00:00Z"
    assert doc["hosts"] == ["Hana"] and doc["hashtag"] == "#LeadershipChat"
    assert doc["timezone"] == "America/New_York" and doc["session_id"] == 3


def test_same_rows_in_any_order_give_the_same_recap() -> None:
    rows = sc.stored_rows()
    forward = render_json(build_recap(sc.stored_input(rows)))
    assert render_json(build_recap(sc.stored_input(list(reversed(rows))))) == forward


def test_a_member_who_opts_out_disappears_everywhere() -> None:
    inp = sc.stored_input()
    ana = inp.members[101]
    doc = json.loads(
        render_json(
            build_recap(replace(inp, members={**inp.members, 101: replace(ana, opted_out=True)}))
        )
    )
    text = json.dumps(doc, ensure_ascii=False)
    assert "Ana" not in text and "Leaders listen first" not in text
    assert doc["stats"]["participants"] == 6


def test_without_history_newcomers_and_streaks_are_unknown() -> None:
    inp = replace(sc.stored_input(), participation=(), earlier_sessions=None, members={})
    recap = build_recap(inp)
    assert not recap.history_known
    assert all(p.streak is None and not p.newcomer for p in recap.participants)
    assert recap.stats.returning == 0


def test_empty_session_still_makes_a_recap() -> None:
    recap = build_recap(replace(sc.stored_input(), messages=[]))
    assert recap.stats.participants == 0 and recap.stats.busiest_minute is None
    assert [q.number for q in recap.questions] == [1, 2, 3, 4, 5, 6]
    assert all(q.threads == () and q.top == () for q in recap.questions)
