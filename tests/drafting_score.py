"""Scores drafts of the prep-post fixtures the way a host reads them.

For each post, `expected.yaml` writes down what a host decided by reading it: the questions they
would keep (`keep`), the ones that are rhetorical or calls to action (`rhetorical`), the ones that
lean on the sentence before (`context`), questions on the page that are not the article's
(`outside`), and where the article starts and ends in the file (`article`). A draft question is:

- a *fragment* when it is not a whole, clean question (dash or lower case at the start, a cut
  "…", unbalanced or doubled quotes, control characters, no "?" at the end, over the limit);
- *rhetorical* when it is one of the post's rhetorical questions (or plain filler);
- *outside* when its source (the sentence, heading or phrase it came from) is not in the
  article, or it is one of the page's other questions;
- *context* when it is one of the questions that lean on the sentence before;
- *flawed* when it was generated and is not what a host would post as it stands: closed (a
  yes/no question with no "why"), leaning on a sentence of the post ("It ...", "They ..."), or
  broken by its template (verb agreement, "a"/"an", a stray capital or a lower-case day,
  a superlative without its article, a verb form after "do you" or "to");
- *usable* when it is none of these and either a question the host keeps or one generated from
  the article's own key ideas.

`python -m tests.drafting_score` prints the table; the tests hold the floor.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from bot.drafting import Draft, decode_source, detect_kind, draft_topic

FIXTURES = Path(__file__).parent / "fixtures" / "prep_posts"
CHAT_DATES = [date(2026, 11, 3) + timedelta(weeks=i) for i in range(52)]  # Tuesdays
TAKEN = {date(2026, 11, 3)}
ROOM = 7  # the default run of show
POST_LIMIT = 280
HASHTAG = "#LeadershipChat"
_FILLER = re.compile(
    r"^(?:what do you think|thoughts|agree|right|any thoughts|what say you)\?$|,\s*right\?$", re.I
)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def load_expected() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = yaml.safe_load(
        (FIXTURES / "expected.yaml").read_text(encoding="utf-8")
    )
    return data


def draft_fixture(name: str, **overrides: Any) -> Draft:
    text = decode_source((FIXTURES / name).read_bytes(), name)
    options: dict[str, Any] = {
        "chat_dates": CHAT_DATES,
        "taken_dates": TAKEN,
        "max_questions": ROOM,
    }
    options.update(overrides)
    return draft_topic(text, detect_kind(text, name), **options)


def words(text: str) -> list[str]:
    """Lower-case words, for comparing text across HTML, Markdown and typographic quotes."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text)).lower().replace("’", "'")
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text)


def _norm(text: str) -> str:
    return " " + " ".join(words(text)) + " "


def same_question(a: str, b: str) -> bool:
    """The same question, allowing small rewording (lead-ins, "Why or why not?", you/your)."""
    strip = re.compile(r"\s*why or why not\?$|\s*why\?$", re.I)
    wa, wb = set(words(strip.sub("", a))), set(words(strip.sub("", b)))
    if not wa or not wb:
        return False
    return len(wa & wb) / len(wa | wb) >= 0.75


_CLAIM_TEMPLATE = re.compile(
    r"^(?:agree or disagree:\s*(?P<a>.+?)\.\s*why\?|[“\"](?P<b>.+?)\.[”\"]\s*how true is that "
    r"where you work\?|(?P<c>.+?)\.\s*what has your experience been\?)$",
    re.I,
)


def same_generated(a: str, b: str) -> bool:
    """The same generated question, whichever claim template it came in ("Agree or disagree:
    X. Why?" and "“X.” How true is that where you work?" put the same claim to the chat)."""

    def claim(text: str) -> str:
        found = _CLAIM_TEMPLATE.match(text.strip())
        return next((g for g in found.groups() if g), text) if found else text

    return same_question(claim(a), claim(b))


def fragment_reason(text: str) -> str | None:
    """Why a question is not a whole, clean question (None when it is)."""
    checks = [
        (not re.match(r"[“\"‘]?[A-Z0-9]", text), "does not start with a capital"),
        (not text.endswith("?"), "does not end with ?"),
        ("…" in text or "..." in text, "cut or trailing off"),
        (bool(re.search(r"[“”\"]{2}|‘‘|’’", text)), "doubled quotes"),
        (text.count("(") != text.count(")"), "unbalanced brackets"),
        (text.count("“") != text.count("”") or text.count('"') % 2, "unbalanced quotes"),
        (bool(_CONTROL.search(text)), "control characters"),
        (len(f"Q12: {text} {HASHTAG}") > POST_LIMIT, "over the limit"),
        (len(words(text)) < 3, "too short"),
        (bool(re.match(r"(?:and|but|or|so)\b", text, re.I)), "starts with a conjunction"),
    ]
    return next((why for bad, why in checks if bad), None)


_OPEN = re.compile(
    r"^(?:[“\"]?(?:what|how|why|when|where|which|who|whose)\b|agree or disagree:)"
    r"|(?:\bwhy or why not|\bwhy|what has your experience been|how true is that where you work|"
    r"what would it take[^?]*)\?$",
    re.I,
)
_AUXILIARY = re.compile(
    r"^(?:is|are|was|were|do|does|did|can|could|should|would|will|have|has|had)\b", re.I
)
_BACK_POINTER = re.compile(
    r"^(?:agree or disagree:\s*|[“\"])?(?:it|they|them|this|that|these|those|he|she|"
    r"there|also|then|so|but|and)\b",
    re.I,
)
_DAYS = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|april|"
    r"june|july|august|september|october|november|december)\b"
)
_NOT_SUPERLATIVE = [
    "interest",
    "request",
    "test",
    "honest",
    "guest",
    "forest",
    "contest",
    "west",
    "rest",
    "quest",
    "protest",
    "harvest",
    "manifest",
    "best",
    "nest",
    "chest",
    "arrest",
    "suggest",
    "digest",
    "invest",
]
_AN_BEFORE = ("hour", "honest", "honour", "honor", "heir")
_A_BEFORE = ("one", "once", "uni", "use", "usu", "user", "euro", "eu", "ubi")
_INFLECTED = re.compile(r"(?:ing|[^e]ed|[^su]s)$")
_BASE_ED = (
    "need",
    "feed",
    "lead",
    "speed",
    "succeed",
    "proceed",
    "exceed",
    "bleed",
    "heed",
    "shed",
    "embed",
)


def _article_flaw(text: str) -> str | None:
    for article, word in re.findall(r"\b(a|an|A|An)\s+([A-Za-z][\w-]*)", text):
        low = word.lower()
        vowel = low[0] in "aeiou"
        if low.startswith(_AN_BEFORE):
            vowel = True
        elif low.startswith(_A_BEFORE):
            vowel = False
        if article.lower() == "a" and vowel:
            return f"“a {word}”"
        if article.lower() == "an" and not vowel:
            return f"“an {word}”"
    return None


def _title_case(line: str) -> bool:
    """A heading in Title Case: its capitals say nothing about names."""
    long = re.findall(r"[^\W\d_]{4,}", line)
    return len(long) >= 2 and sum(w[0].isupper() for w in long) >= 0.8 * len(long)


def generated_flaw(text: str, article: str) -> str | None:
    """Why a generated question is not one a host would post as it stands (None when it is):
    closed, leaning on the post, or broken by its template. `article` is the post's text, for
    telling a name ("Jane", "LinkedIn") from a stray capital ("one-on-Ones")."""
    if _AUXILIARY.match(text) and not _OPEN.search(text):
        return "closed: a yes/no question"
    if not _OPEN.search(text):
        return "not an open question"
    if _BACK_POINTER.match(text):
        return "leans on the post: opens with a word pointing back"
    if re.search(r"\b(\w+) \1\b", text, re.I):
        return "a word doubled"
    agreement = re.match(r"what (do|does) (.+?) (?:look|sound|feel) like\b", text, re.I)
    if agreement:
        subject = re.split(r"\s+(?:that|who|which)\s+", agreement.group(2))[0]
        head = subject.split()[-1].lower()  # "team rituals that stick": "rituals"
        plural = bool(re.search(r"[^su]s$", head)) and not head.endswith(("ness", "ics", "ship"))
        if plural != (agreement.group(1).lower() == "do"):
            return f"verb agreement: “{agreement.group(1)} … {head}”"
    if (flaw := _article_flaw(text)) is not None:
        return f"article: {flaw}"
    bare = re.search(r"\b(?:of|in|for|with|about|on|to)\s+(\w{3,}est)\b", text, re.I)
    if bare and bare.group(1).lower() not in _NOT_SUPERLATIVE:
        return f"no article before “{bare.group(1)}”"
    verb = re.search(r"\b(?:do you|to)\s+(\w+)", text)
    if verb and _INFLECTED.search(verb.group(1)) and verb.group(1).lower() not in _BASE_ED:
        return f"verb form after “{verb.group(0).rsplit(' ', 1)[0]}”: “{verb.group(1)}”"
    if _DAYS.search(text):
        return "a day or month in lower case"
    prose = "\n".join(line for line in article.splitlines() if not _title_case(line))
    for match in re.finditer(r"(?<=[a-z,;] )([A-Za-z]+-)*[A-Za-z]*[A-Z][\w'’-]*", text):
        word = re.sub(r"['’]s$", "", match.group(0))  # "Doe's": the name is "Doe"
        mid_sentence = rf"(?<=[\w,;] ){re.escape(word)}(?![\w-])"  # a name, not a first word
        if word != "I" and not re.search(mid_sentence, prose):
            return f"a stray capital: “{word}”"
    return None


@dataclass
class PostScore:
    """What one draft holds, question by question, and the host's verdict on each."""

    name: str
    usable: list[str] = field(default_factory=list)
    fragments: list[str] = field(default_factory=list)
    rhetorical: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)
    flawed: list[str] = field(default_factory=list)
    generated: int = 0
    order_ok: bool = True

    @property
    def total(self) -> int:
        return sum(
            len(x)
            for x in (
                self.usable,
                self.fragments,
                self.rhetorical,
                self.outside,
                self.context,
                self.unlisted,
                self.flawed,
            )
        )


def _matches(text: str, listed: Iterable[str]) -> bool:
    return any(same_question(text, other) for other in listed)


def score(name: str, want: dict[str, Any], draft: Draft) -> PostScore:
    """Judge each question of the draft's main list against what the host wrote down."""
    raw = (FIXTURES / name).read_text(encoding="utf-8")
    start, end = want["article"]
    begin = raw.index(start)
    article_text = html.unescape(raw[begin : raw.index(end, begin) + len(end)])
    article = _norm(article_text)
    result = PostScore(name)
    kept_positions: list[int] = []
    for candidate in draft.questions:
        text = candidate.text
        generated = bool(getattr(candidate, "generated", False))
        result.generated += generated
        source = getattr(candidate, "seed", None) or candidate.source or text
        if fragment_reason(text):
            result.fragments.append(f"{text}  [{fragment_reason(text)}]")
        elif _FILLER.search(text) or _matches(text, want.get("rhetorical", [])):
            result.rhetorical.append(text)
        elif (_norm(source) not in article and source != draft.title) or _matches(
            text, want.get("outside", [])
        ):
            result.outside.append(text)
        elif _matches(text, want.get("context", [])):
            result.context.append(text)
        elif generated and (flaw := generated_flaw(text, article_text)):
            result.flawed.append(f"{text}  [{flaw}]")
        elif generated:
            result.usable.append(text)
        elif _matches(text, want["keep"]):
            result.usable.append(text)
            kept_positions.append(
                next(i for i, k in enumerate(want["keep"]) if same_question(text, k))
            )
        else:
            result.unlisted.append(text)
    result.order_ok = kept_positions == sorted(kept_positions)
    return result


def score_all() -> list[PostScore]:
    return [score(name, want, draft_fixture(name)) for name, want in load_expected().items()]


def table(scores: Iterable[PostScore]) -> str:
    """One line per post: counts, then the questions that were not usable."""
    lines = [
        f"{'post':32} usable gen fragm rhet outside context unlisted flawed order",
    ]
    for s in scores:
        lines.append(
            f"{s.name:32} {len(s.usable):6} {s.generated:3} {len(s.fragments):5} "
            f"{len(s.rhetorical):4} {len(s.outside):7} {len(s.context):7} {len(s.unlisted):8} "
            f"{len(s.flawed):6} {'ok' if s.order_ok else 'NO'}"
        )
        for label, items in (
            ("fragment", s.fragments),
            ("rhetorical", s.rhetorical),
            ("outside", s.outside),
            ("context", s.context),
            ("unlisted", s.unlisted),
            ("flawed", s.flawed),
        ):
            lines += [f"    {label}: {item}" for item in items]
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(score_all()))
