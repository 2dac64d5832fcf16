"""The demo's cast and script: who says what, and when (in minutes of a real one-hour chat).

Kept apart from `bot.demo` (the runner) so the story can change without touching the mechanics.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Member:
    user_id: int
    name: str
    returning: bool = True  # took part in last week's chat (seeded), so not a newcomer
    host: bool = False


CAST = (
    Member(201, "Maya Ortega", host=True),
    Member(202, "Alice Mbeki"),
    Member(203, "Bob Novak"),
    Member(204, "Chen Wei", returning=False),
    Member(205, "Dana Ruiz"),
    Member(206, "Eli Cohen"),
    Member(207, "Farah Haddad"),
    Member(208, "Gus Olsen"),
    Member(209, "Hana Sato"),
    Member(210, "Iris Dube", returning=False),
)


@dataclass(frozen=True)
class Line:
    """One scripted action. `reply_to`/`edit`/`delete`/`react` name an earlier line by its `tag`,
    or a question post as "Q1"."""

    minute: float
    who: int
    text: str = ""
    tag: str = ""
    reply_to: str = ""
    edit: str = ""
    delete: str = ""
    react: str = ""


SCRIPT = (
    Line(
        0.5, 202, "Hi everyone! Alice, team lead at a logistics firm in Ohio 👋", tag="alice-intro"
    ),
    Line(1.0, 203, "Evening all, Bob from Zagreb, product manager."),
    Line(1.5, 204, "First time here! Chen, engineering manager in Singapore 🌏", tag="chen-intro"),
    Line(2.0, 201, "Welcome Chen, great to have you!", reply_to="chen-intro"),
    Line(
        5.5,
        202,
        "A1: Clearing the path. Monday I ask each person what is blocking them, then I go unblock it.",
        tag="a1-alice",
    ),
    Line(6.0, 203, "A1 - Protecting focus time. No meetings before 11 for my team.", tag="a1-bob"),
    Line(6.5, 205, "So true Alice, removing blockers is underrated.", reply_to="a1-alice"),
    Line(
        7.0,
        206,
        "Listening before talking. I try to ask two questions before I give any answer.",
        reply_to="Q1",
        tag="a1-eli",
    ),
    Line(7.5, 207, "a1) Making sure nobody starts the week waiting on me.", tag="a1-farah"),
    Line(
        8.0,
        203,
        edit="a1-bob",
        text="A1 - Protecting focus time: no meetings before 11 for my team, and I hold that line.",
    ),
    Line(8.5, 209, react="a1-alice"),
    Line(8.6, 205, react="a1-alice"),
    Line(8.7, 204, react="a1-eli"),
    Line(
        10.0,
        208,
        "A2: my first manager, she answered every question with 'what do you think?'",
        tag="early",
    ),
    Line(
        14.5,
        202,
        "A2: A director who rewrote her own slides so I could present them. She took the risk, I took the credit.",
        tag="a2-alice",
    ),
    Line(
        15.0,
        204,
        "A2: My first tech lead reviewed my code at 11 pm so I wouldn't miss a launch. I never forgot it.",
        tag="a2-chen",
    ),
    Line(
        15.5,
        209,
        "A1/A2: Serving means saying no for your team. My best boss did it weekly.",
        tag="a12-hana",
    ),
    Line(16.0, 206, "oops wrong channel, ignore me", tag="oops"),
    Line(16.5, 206, delete="oops"),
    Line(17.0, 202, react="a2-chen"),
    Line(17.1, 203, react="a2-chen"),
    Line(17.2, 207, react="a2-chen"),
    Line(
        23.5,
        205,
        "A3: When you start fixing things they'd learn more from fixing themselves.",
        tag="a3-dana",
    ),
    Line(
        24.0,
        203,
        "A3: If I'm in the weeds every day, I've stopped serving and started hovering.",
        tag="a3-bob",
    ),
    Line(24.5, 201, "Love that word, hovering!", reply_to="a3-bob"),
    Line(
        25.0,
        207,
        "A3 - Coaching vs doing: I ask 'do you want ideas or a sounding board?'",
        tag="a3-farah",
    ),
    Line(25.5, 202, react="a3-farah"),
    Line(32.5, 208, "A4: Skip-levels with no agenda. People bring what matters.", tag="a4-gus"),
    Line(33.0, 204, "A4: I watch what people avoid in standups. That's usually the real need."),
    Line(
        33.5,
        206,
        "A4: Anonymous retro cards, then I act on one within a week so they see it matters.",
        tag="a4-eli",
    ),
    Line(34.0, 209, react="a4-eli"),
    Line(
        41.5,
        205,
        "A5: Took the blame for a missed deadline that was really a process gap. Worth it: the team fixed the process.",
    ),
    Line(
        42.0,
        202,
        "A5: Gave up a conference talk so a junior colleague could speak. Best decision that year.",
        tag="a5-alice",
    ),
    Line(42.5, 203, react="a5-alice"),
    Line(50.5, 207, "A6: Ending every 1:1 with 'what can I take off your plate?'", tag="a6-farah"),
    Line(51.0, 203, "A6: Blocking 30 minutes a day just for unblocking others."),
    Line(
        51.5,
        204,
        "A6: Writing down what each person needs from me this week, and checking it Friday.",
    ),
    Line(52.0, 202, react="a6-farah"),
    Line(56.0, 209, "Thank you all, lots to take back to my team tomorrow 🙏"),
    Line(
        63.0,
        210,
        "A6: Late from Nairobi! Asking my team what I should stop doing.",
        tag="late-iris",
    ),
)
