"""Title clean-up (site-name suffixes), the post's author from a byline, and co-hosts named in
the post ("my co-host Jane Doe", "Jane Doe and I will co-host", "join Jane Doe and me")."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.drafting._boiler import is_post_meta
from bot.drafting._model import words

_STRONG_SEPARATORS = (" | ", " – ", " — ", " :: ", " · ", " • ", " » ", " ~ ")
_SITEISH = re.compile(r"blog|['’]s\b|\.(?:com|org|net|io|co)\b|\bsite\b|\bjournal\b", re.I)

_FORWARD = re.compile(
    r"\bco-?hosts?\b(?:ed\s+by|ing\s+with|ing)?|\bco-?hosted\s+by\b|\bguest[- ]hosts?\b"
    r"|\bhosted\s+by\b|\bmoderated\s+by\b",
    re.I,
)
_BACKWARD = re.compile(
    r"(?:,\s*(?:my|our|the|this week's)\s+(?:guest\s+)?co-?host\b"
    r"|\s+and\s+I\s+(?:will\s+|'ll\s+|’ll\s+|are\s+)?(?:be\s+)?co-?host)",
    re.I,
)
_JOIN_ME = re.compile(r"\bjoin\s+(?P<names>[^.?!]+?)\s+and\s+(?:me|I|myself)\b", re.I)
_FILLER = words(
    "my our the this week's weeks and a good dear friend amazing wonderful talented fabulous"
    " brilliant incredible fellow longtime long-time awesome new guest , : is will be"
)
_PARTICLES = words("de van von der den da del la le di du bin al st. st")
_NOT_NAMES = words(
    "i we you he she they it this that the my our and monday tuesday wednesday thursday friday"
    " saturday sunday january february march april may june july august september october"
    " november december et est edt pm am leadershipchat twitter discord x join please"
)
_HONORIFICS = words("dr. mr. mrs. ms. mx. prof. rev.")
_TOKEN = re.compile(r"\(|\)|[,;:]|[^\s,;:()]+")


def strip_site_suffix(title: str, site_name: str | None = None) -> str:
    """`Post title – Jane's Blog` -> `Post title` (also "Site | Title" when the site is known)."""
    title = re.sub(r"\s+", " ", title).strip()
    if site_name:
        site = re.escape(site_name.strip())
        bare = re.sub(rf"^{site}\s*[|–—:·•»~-]\s*|\s*[|–—:·•»~-]\s*{site}$", "", title)
        if bare:
            title = bare
    for sep in _STRONG_SEPARATORS:
        if sep in title:
            head = title.split(sep)[0].strip()
            if len(head) >= 3:
                title = head
    if " - " in title:
        head, _, tail = title.rpartition(" - ")
        if len(head) >= 3 and _SITEISH.search(tail):
            title = head.strip()
    return title


def _is_name_word(word: str) -> bool:
    if word.startswith("@") and len(word) > 1:
        return True
    return (
        word[:1].isupper()
        and word.lower() not in _NOT_NAMES
        and bool(re.fullmatch(r"[^\W\d_][\w'’.-]*", word))
    )


def _names_after(text: str) -> list[str]:
    """Names listed right after a cue: "Jane Doe (@jane), Sam Lee and Ana Ruiz will ..."."""
    names: list[str] = []
    current: list[str] = []
    depth = 0
    for token in _TOKEN.findall(text):
        if token == "(":
            depth += 1
            continue
        if token == ")":
            depth = max(0, depth - 1)
            continue
        if depth:
            continue
        keep = bool(re.fullmatch(r"[A-Z]\.", token)) or token.lower() in _HONORIFICS
        word = token if keep else re.sub(r"['’]s$", "", token.rstrip(".!?"))
        ends = token != token.rstrip(".!?") and not keep
        named = bool(word) and _is_name_word(word) and len(current) < 4
        if named or (current and word.lower() in _PARTICLES):
            current.append(word)
        elif token in (",", ";") or word.lower() in ("and", "&"):
            if current:
                names.append(" ".join(current))
                current = []
            elif names and word.lower() not in ("and", "&", ","):
                break
        elif not current and not names and token.lower() in _FILLER:
            continue
        else:
            break
        if ends:
            break
    if current:
        names.append(" ".join(current))
    return [n for n in names if n.split()[-1].lower() not in _PARTICLES]


def _name_before(text: str) -> str | None:
    """The capitalised words just before a backward cue ("Jane Doe, my co-host")."""
    run: list[str] = []
    for token in reversed(text.split()):
        if not _is_name_word(token.rstrip(",")) or (token.endswith((".", ",")) and run):
            break
        run.insert(0, token.rstrip(","))
        if len(run) == 4:
            break
    return " ".join(run) or None


def find_hosts(sentences: Iterable[str]) -> list[str]:
    """Co-hosts named in the post, in order of first mention, without repeats."""
    found: list[str] = []
    for sentence in sentences:
        for match in _FORWARD.finditer(sentence):
            found.extend(_names_after(sentence[match.end() :]))
        for match in _JOIN_ME.finditer(sentence):
            found.extend(_names_after(match.group("names")))
        for match in _BACKWARD.finditer(sentence):
            name = _name_before(sentence[: match.start()])
            if name:
                found.append(name)
    out: list[str] = []
    for name in found:
        if not any(name == other or name in other.split(" ") for other in out):
            out = [o for o in out if o not in name.split(" ")]
            out.append(name)
    return out


_NOT_AUTHORS = words(
    "admin administrator staff editor editors team guest author contributor webmaster user"
    " anonymous unknown posted by on in written published updated min read comments"
)
_BYLINE = re.compile(
    r"(?:^|\b(?:posted|written|published)?\s*)\bby\s+(?P<name>[^,;|·•—–\d]{2,80})", re.IGNORECASE
)
_SEPARATED = re.compile(r"\s*[·|•—–;]\s*|,\s+(?=\D)")


def person_name(text: str | None) -> str | None:
    """`Keisha Morgan` from an author field or byline piece; None when it is not a person's name
    (a site, "admin", a date, an e-mail address)."""
    if not text:
        return None
    text = re.sub(r"^\s*(?:(?:posted|written|published)\s+)?by\s+", "", text.strip(), flags=re.I)
    for part in _SEPARATED.split(text):
        part = re.sub(r"\s+(?:on|at|in)\s+.*$", "", part.strip(" *_\"'“”"))
        tokens = part.split()
        if not 2 <= len(tokens) <= 5 or "@" in part or re.search(r"\d", part):
            continue
        if any(t.lower() in _NOT_AUTHORS or t.lower() in _NOT_NAMES for t in tokens):
            continue
        if all(_is_name_word(t) or t.lower() in _PARTICLES for t in tokens) and _is_name_word(
            tokens[0]
        ):
            return " ".join(tokens)
    return None


def find_byline(lines: Iterable[str]) -> str | None:
    """The author named by the first byline among the lines above a post ("By Jane Doe",
    "Posted on November 1 by Jane Doe", "November 15, 2026 · Jane Doe")."""
    for line in lines:
        line = " ".join(line.split()).strip("*_ ")
        if not is_post_meta(line):
            continue
        match = _BYLINE.search(line)
        name = person_name(match.group("name")) if match else None
        if name is None:
            name = next((n for n in map(person_name, _SEPARATED.split(line)) if n), None)
        if name:
            return name
    return None
