"""Prep post text -> Draft: the pure function the CLI and the Discord command both call."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Sequence
from datetime import date

from bot.drafting._casing import vocabulary_of
from bot.drafting._dates import choose_date
from bot.drafting._generate import generate, ideas, is_claim, transformable
from bot.drafting._judge import key
from bot.drafting._keyphrases import KeyPhrase, key_phrases
from bot.drafting._meta import find_hosts, strip_site_suffix
from bot.drafting._model import (
    MAX_POST_CHARS,
    MAX_QUESTIONS,
    MAX_SOURCE_BYTES,
    MIN_QUESTIONS,
    Block,
    Candidate,
    Draft,
    DraftError,
    ParsedPost,
    SourceKind,
)
from bot.drafting._questions import budget, own_questions, split_sentences
from bot.drafting._source import clean_text, detect_kind, too_big
from bot.drafting._text import parse_markdown, parse_text, sentence_case

_MIN_WORDS = 6  # a web page's block this long is prose, not a button or a menu entry
_WORD = re.compile(r"[^\W\d_]{2,}")  # a word of letters (a post of "1. 2. 3." has none)
_MAX_EXTRAS = 12  # questions offered as comments besides the chosen ones
_TAG = re.compile(r",\s*(?:isn't it|aren't they|don't you think|right)\?$", re.I)
# "It taught me that uncertainty is a leadership problem." / told me: "People can handle bad news."
_THAT_CLAUSE = re.compile(
    r"\b(?:learn(?:ed|t)|taught (?:me|us)|believe|realis(?:ed)|realiz(?:ed)|noticed|discovered|"
    r"know|come to (?:see|believe)|convinced|found) that (?P<claim>[^;:]{10,}?\.)$",
    re.I,
)
_RULE_THAT = re.compile(
    r"\b(?:rule|view|belief|lesson|point|experience|bet|hunch) is that (?P<claim>[^;:]{10,}?\.)$",
    re.I,
)
_QUOTED_CLAIM = re.compile(r"[“\"](?P<claim>[A-Z][^”\"]{15,200}?\.)(?=\s|[”\"]|$)")
# "We will dig into accountability without blame at #LeadershipChat": the chat's topic.
_TOPIC = re.compile(
    r"\b(?:talk(?:ing)? about|dig(?:ging)? into|discuss(?:ing)?|explor(?:e|ing)|(?:topic|theme)"
    r"(?: is| will be)?:?)\s+(?P<topic>[a-z][^.,!?#:;]{2,60}?)(?=\s+(?:at|on|with|this|next|during|"
    r"in|together|tonight|tomorrow)\b|[.,!?#:;]|$)",
    re.I,
)
# A sentence that answers or turns the one before: that one is only half of the thought.
_CONTRAST = re.compile(
    r"^\W*(?:the same|but|yet|instead|however|the other|then again|not so|on the other hand)\b",
    re.I,
)
_CHAT_TALK = re.compile(r"#\w+|\bchat\b|\bjoin\b", re.I)


def parse_post(text: str, kind: SourceKind) -> ParsedPost:
    """The post's title, blocks and metadata (HTML through trafilatura, imported on first use).

    Text and Markdown are read up to twice MAX_POST_CHARS (room for furniture around the post);
    HTML pages are bounded by their number of tags (see `_extract`)."""
    if kind == "html":
        from bot.drafting._extract import parse_html

        return parse_html(text)
    cut = len(text) > 2 * MAX_POST_CHARS
    text = text[: 2 * MAX_POST_CHARS]
    post = sentence_case(parse_markdown(text) if kind == "markdown" else parse_text(text))
    return dataclasses.replace(post, truncated=cut) if cut else post


def _bounded(post: ParsedPost) -> ParsedPost:
    """Control characters out of every block, and no more than MAX_POST_CHARS of text."""
    blocks: list[Block] = []
    total = 0
    for block in post.blocks:
        text = " ".join(clean_text(block.text[: MAX_POST_CHARS - total + 1]).split())
        if not text:
            continue
        if total + len(text) > MAX_POST_CHARS:
            cut = text[: MAX_POST_CHARS - total].rsplit(" ", 1)[0]
            if cut:
                blocks.append(Block(cut, block.kind, block.level))
            return _replace(post, blocks, truncated=True)
        total += len(text)
        blocks.append(Block(text, block.kind, block.level))
    return _replace(post, blocks, truncated=post.truncated)


def _replace(post: ParsedPost, blocks: list[Block], truncated: bool) -> ParsedPost:
    def clean(value: str | None) -> str | None:
        return " ".join(clean_text(value).split()) or None if value else None

    return ParsedPost(
        clean(post.title), tuple(blocks), clean(post.author), post.url, post.site, truncated
    )


def _sentences(blocks: Sequence[Block]) -> list[tuple[int, str]]:
    """(position, sentence) for every sentence; a block's position is 100 x its index."""
    return [
        (i * 100 + j, sentence)
        for i, block in enumerate(blocks)
        for j, sentence in enumerate(split_sentences(block.text)[:99])
    ]


def _claims(
    sentences: Sequence[tuple[int, str]], phrases: Sequence[KeyPhrase]
) -> list[tuple[int, str]]:
    """The post's statements most about its key phrases (tag questions made statements), in
    the post's order."""
    weights = {p.text: p.score for p in phrases}
    scored: list[tuple[float, int, str]] = []
    for i, (position, sentence) in enumerate(sentences):
        following = sentences[i + 1][1] if i + 1 < len(sentences) else ""
        if _CONTRAST.match(following):
            continue  # "A concern raised on day two costs a coffee. The same concern ..."
        text = _TAG.sub(".", sentence.strip())
        inner = [m.group("claim") for m in _QUOTED_CLAIM.finditer(text)]
        before = text.split(": ")[0]
        if ": " in text and "," not in before:  # "The calendar is the most honest document:
            inner.append(before + ".")  # it shows ...": its claim (not a list before a colon)
        that = _THAT_CLAUSE.search(text) or _RULE_THAT.search(text)
        for claim in [text, *inner, *([that.group("claim")] if that else [])]:
            if not claim.endswith(".") or not (is_claim(claim) or transformable(claim)):
                continue
            low = f" {key(claim)} "
            value = sum(w for phrase, w in weights.items() if f" {key(phrase)} " in low)
            value += 10 if transformable(claim) else 0  # a question of its own: keep it
            scored.append((value + (1 if position % 100 == 0 else 0), position, claim))
            break
    best = sorted(scored, key=lambda s: -s[0])[:8]
    return [(position, text) for _, position, text in sorted(best, key=lambda s: s[1])]


def _title(
    post: ParsedPost, sentences: Sequence[tuple[int, str]], phrases: Sequence[KeyPhrase]
) -> tuple[str, str | None]:
    if post.title:
        title = strip_site_suffix(post.title, post.site)
        if title:
            return title, None
    for _, sentence in sentences:
        topic = _TOPIC.search(sentence) if _CHAT_TALK.search(sentence) else None
        if topic and not re.match(r"(?:it|this|that|them)\b", topic.group("topic"), re.I):
            made = topic.group("topic").strip()
            return made[:1].upper() + made[1:], (
                "check: no title found in the post; this is the topic its invitation names"
            )
    if phrases:
        made = phrases[0].text
        return made[:1].upper() + made[1:], (
            f"check: no title found in the post; made from its key phrase “{phrases[0].text}”"
        )
    return "Prep post", "check: no title found in the post; write one"


def _choose(
    usable: list[Candidate], leaning: list[Candidate], made: list[Candidate], room: int
) -> tuple[list[Candidate], list[Candidate]]:
    """The chat's questions (best by score up to `room`, shown in the post's order) and the
    others as comments, also in the post's order."""
    ranked = sorted(usable, key=lambda c: -c.score)  # stable: equal scores keep post order
    chosen = ranked[:room]
    chosen += made[: max(0, room - len(chosen))]
    chosen.sort(key=lambda c: c.position)
    others = [c for c in (*usable, *leaning, *made) if c not in chosen]
    return chosen, sorted(others, key=lambda c: c.position)[:_MAX_EXTRAS]


def _hosts(post: ParsedPost, named: list[str]) -> tuple[tuple[str, ...], str]:
    hosts = list(named)
    notes = []
    author = post.author
    if author and not any(author == h or author in h or h in author for h in hosts):
        hosts.insert(0, author)
        notes.append(f"check: “{author}” is the post's author (byline)")
    if named:
        notes.append("named as co-host" + ("s" if len(named) > 1 else "") + " in the post")
    if not hosts:
        notes.append("check: no author or co-hosts named in the post; add them if any")
    return tuple(hosts), "; ".join(notes)


def draft_topic(
    source_text: str,
    source_kind: SourceKind | None = None,
    *,
    chat_dates: Sequence[date],
    taken_dates: Collection[date] = (),
    hashtag: str = "#LeadershipChat",
    prep_url: str | None = None,
    date_override: date | None = None,
    chat_name: str | None = None,
    max_questions: int = MAX_QUESTIONS,
    source_url: str | None = None,
) -> Draft:
    """Draft a topic from a prep post. Pure: no I/O, no clock (`chat_dates` are the upcoming ones).

    `max_questions` is how many fit the chat's hour (the CLI works it out from the run of show);
    the rest become comments. `prep_url` is the host's own choice of link; without it the page's
    canonical address is offered (marked "check"), else `source_url`, where the post was
    fetched from. Raises DraftError for empty or oversized input, or a page with no post text.
    """
    if len(source_text) > MAX_SOURCE_BYTES:
        raise too_big("the post")
    room = max(1, min(max_questions, MAX_QUESTIONS))
    text = clean_text(source_text).lstrip("\ufeff")
    if not text.strip():
        raise DraftError("the post is empty")
    kind = source_kind or detect_kind(text)
    post = _bounded(parse_post(text, kind))
    _check_has_text(post, kind)
    sentences = _sentences(post.blocks)
    phrases = key_phrases(
        sentences, [post.title or "", *(b.text for b in post.blocks if b.kind == "heading")]
    )
    title, title_note = _title(post, sentences, phrases)
    choice = choose_date([s for _, s in sentences], chat_dates, taken_dates, date_override)
    usable, leaning = own_questions(sentences, hashtag)
    made: list[Candidate] = []
    if len(usable) < MIN_QUESTIONS:
        positioned = [(i * 100, b) for i, b in enumerate(post.blocks)]
        found = ideas(positioned, _claims(sentences, phrases), title)
        vocabulary = vocabulary_of([s for _, s in sentences])
        taken = [c.text for c in (*usable, *leaning)]
        wanted = max(room, MIN_QUESTIONS) - len(usable) + 3
        made = generate(found, phrases, vocabulary, taken, wanted, budget(hashtag))
    chosen, extra = _choose(usable, leaning, made, room)
    if not chosen:
        chosen = [_fallback(title)]
    notes = _notes(post, usable, chosen)
    hosts, hosts_note = _hosts(post, find_hosts(s for _, s in sentences))
    url = prep_url or post.url or source_url
    guessed = url is not None and url not in (prep_url, source_url)
    return Draft(
        title=title,
        date=choice.date,
        questions=tuple(chosen),
        extra_questions=tuple(extra),
        hosts=hosts,
        prep_post=url,
        chat=chat_name,
        hashtag=hashtag,
        notes=tuple(notes),
        title_note=title_note,
        date_note=choice.note,
        hosts_note=hosts_note,
        prep_post_note="check: the page's canonical address" if guessed else None,
        room=room,
    )


def _check_has_text(post: ParsedPost, kind: SourceKind) -> None:
    """DraftError unless the post holds words to draft from. A text or Markdown post is the
    host's own, so any words will do (a two-line post drafts what it can); a web page's short
    fragments may be its menus and buttons, so a page needs a paragraph of `_MIN_WORDS`."""
    if kind == "html" and not post.blocks:
        raise DraftError(
            "no post text found (only navigation, share buttons, comments and the like)"
        )
    if not any(_WORD.search(b.text) for b in post.blocks):
        raise DraftError("no post text found: no words, only numbers and symbols")
    longest = max(len(b.text.split()) for b in post.blocks)
    if kind == "html" and longest < _MIN_WORDS:
        raise DraftError(
            f"no post text found: the page's longest paragraph has {longest} word"
            f"{'s' if longest != 1 else ''}; a draft from a web page needs one of at least "
            f"{_MIN_WORDS} (shorter ones are taken for its menus and buttons). To draft a "
            "short post, save its text as a .txt file and draft that"
        )


def _fallback(title: str) -> Candidate:
    """The one question a post too thin for any other still gets: about its title when the
    title is words, else about the post."""
    plain = " ".join(re.sub(r"[^\w\s'’-]", " ", title).split())
    if len(re.findall(r"[^\W\d_]{2,}", plain)) >= 2:
        text = f"What does “{plain}” mean to you?"
    else:
        text = "What stood out to you in this week's prep post?"
    if len(text) > 200 or '"' in plain:
        text = "What stood out to you in this week's prep post?"
    return Candidate(text, title, 0, "generated from the title; check", generated=True)


def _notes(post: ParsedPost, usable: list[Candidate], chosen: list[Candidate]) -> list[str]:
    notes: list[str] = []
    if post.truncated:
        notes.append("the post is very long; only its first part was read.")
    generated = sum(c.generated for c in chosen)
    if generated:
        own = len(usable)
        notes.append(
            f"the post asks {own or 'no'} question{'s' if own != 1 else ''} a chat can use as "
            f"they stand; {generated} more {'were' if generated > 1 else 'was'} generated from "
            "its key ideas (marked “generated”). Check them, or write your own."
        )
    if len(chosen) < MIN_QUESTIONS:
        notes.append(
            f"only {len(chosen)} question{'s' if len(chosen) != 1 else ''} could be drafted; "
            "a chat usually has 5-8, so add your own."
        )
    return notes
