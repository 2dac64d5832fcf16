"""YAML reading for config and topic files: hostile or careless input gets one clear
`file:line: what` error, bounded in time and memory, never a traceback."""

from __future__ import annotations

import os
import threading
import tracemalloc
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.yaml_source import (
    ALIAS_BUDGET,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    YamlDocument,
    YamlSyntaxError,
    parse_yaml,
    read_yaml,
)

F = Path("f.yaml")


def refused(text: str) -> YamlSyntaxError:
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml(text, F)
    return caught.value


def laughs(levels: int, width: int = 9) -> str:
    """A billion-laughs file: each level lists the previous one `width` times (by alias)."""
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- aliases


def test_an_alias_bomb_is_refused_in_bounded_memory() -> None:
    text = laughs(6)  # 531,441 strings once expanded, from 300 bytes
    assert len(text) < 500
    tracemalloc.start()
    try:
        problem = refused(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert f"aliases (*name) repeat more than {ALIAS_BUDGET} values" in str(problem)
    assert str(problem).startswith("f.yaml:")
    assert peak < 20_000_000


def test_the_nine_level_bomb_of_the_issue_is_refused_too() -> None:
    assert "aliases (*name) repeat more than" in str(refused(laughs(9)))


def test_a_merge_key_bomb_is_refused() -> None:
    lines = ["m0: &m0 {a: 1, b: 2, c: 3}"]
    for i in range(1, 12):
        lines.append(f"m{i}: &m{i} {{<<: [" + ", ".join([f"*m{i - 1}"] * 9) + "]}")
    assert "aliases (*name) repeat more than" in str(refused("\n".join(lines)))


def test_modest_aliases_and_merge_keys_work_and_keys_written_out_win() -> None:
    doc = parse_yaml(
        "defaults: &d\n  timezone: Europe/Berlin\n  duration: 1h\n"
        "chat:\n  <<: *d\n  duration: 2h\n"
        "copies: [*d, *d]\n",
        F,
    )
    assert doc.data["chat"] == {"timezone": "Europe/Berlin", "duration": "2h"}
    assert doc.data["copies"] == [doc.data["defaults"]] * 2
    assert doc.line_of(("chat", "duration")) == 6
    assert doc.line_of(("chat", "timezone")) == 2  # where the merged value is written


def test_an_alias_to_its_own_value_is_refused() -> None:
    assert "an alias refers to its own value" in str(refused("a: &a [1, *a]\n"))
    assert "`<<` merges its own mapping" in str(refused("a: &a {b: 1, <<: *a}\n"))


# ----------------------------------------------------------------------------- shapes


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[" * 50_000 + "]" * 50_000, id="flow-list"),
        pytest.param("a: " + "{b: " * 50_000 + "1" + "}" * 50_000, id="flow-mapping"),
        pytest.param("".join(" " * i + "-\n" for i in range(2_000)), id="block-list"),
    ],
)
def test_deep_nesting_is_a_clear_error_not_a_recursion_error(text: str) -> None:
    problem = refused(text)
    assert f"nested more than {MAX_DEPTH} levels deep" in problem.problem
    assert str(problem).startswith("f.yaml:")


def test_duplicate_keys_are_refused_with_both_lines() -> None:
    problem = refused("chats:\n  - name: a\n    guild_id: 1\n    name: b\n")
    assert str(problem) == (
        "f.yaml:4: chats[0].name: appears twice in the same mapping (first on line 2)"
    )


def test_a_list_or_mapping_as_a_key_is_refused() -> None:
    assert "a key must be a plain word or number" in str(refused("? [1, 2]\n: x\n"))
    assert str(refused("a:\n  ? {b: 1}\n  : x\n")).startswith("f.yaml:2: a: a key must be")


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("a: 1\nb: x\x00y\n", 2, "U+0000 (NUL)"),
        ("a: 1\nb: bell\x07\n", 2, "U+0007 (BEL)"),
        ("a: 1\n\nb: \x1b[31mred\n", 3, "U+001B (ESC)"),
        ("a: x\x7f\n", 1, "U+007F (DEL)"),
    ],
)
def test_raw_control_characters_name_their_line(text: str, line: int, what: str) -> None:
    assert str(refused(text)).startswith(f"f.yaml:{line}: control character {what}")


def test_control_characters_written_as_escapes_name_the_field() -> None:
    problem = refused('title: ok\nquestions:\n  - "Red \\e[31malert"\n')
    assert str(problem) == ("f.yaml:3: questions[0]: control character U+001B (ESC) is not allowed")
    assert "U+0000 (NUL)" in str(refused('a: "\\0"\n'))


def test_tabs_and_line_breaks_are_ordinary_text() -> None:
    assert parse_yaml('a: "x\\ty\\r\\nz"\n', F).data == {"a": "x\ty\r\nz"}


def test_only_true_and_false_are_booleans() -> None:
    doc = parse_yaml("a: off\nb: yes\nc: No\nd: true\ne: False\nf: 20:00\n", F)
    assert doc.data == {"a": "off", "b": "yes", "c": "No", "d": True, "e": False, "f": "20:00"}


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * MAX_FILE_BYTES + "\n", encoding="utf-8")
    with pytest.raises(YamlSyntaxError) as caught:
        read_yaml(path)
    assert "big.yaml: " in str(caught.value) and "is too large" in str(caught.value)


def test_a_fifo_or_a_device_is_refused_without_reading_it(tmp_path: Path) -> None:
    """Opening a FIFO waits for a writer forever; /dev/zero never ends. The planner re-reads the
    prompts folder every hour, so one such entry would stop all planning."""
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    outcomes: list[str] = []

    def read_both() -> None:
        for path in (fifo, tmp_path / "zero.yaml"):
            with pytest.raises(YamlSyntaxError) as caught:
                read_yaml(path)
            outcomes.append(str(caught.value))

    reader = threading.Thread(target=read_both, daemon=True)
    reader.start()
    reader.join(timeout=30)  # only a hang takes this long
    assert outcomes == [
        f"{fifo}: is not a regular file",
        f"{tmp_path / 'zero.yaml'}: is not a regular file",
    ]


def test_tabs_get_a_hint() -> None:
    assert str(refused("title:\tT\n")).endswith("(use spaces, not tabs)")


def test_too_many_values_are_refused() -> None:
    assert "more than 10000 values" in str(refused("[" + "0, " * 10_500 + "0]"))


# ----------------------------------------------------------------------------- properties

# YAML made of the pieces hosts (and attackers) use: anchors, aliases, merges, flow and block
# collections, quotes, escapes, tabs, control characters and unusual scalars.
PIECES = [
    "a",
    "b: ",
    "- ",
    ": ",
    "\n",
    "\n  ",
    "\t",
    "&x ",
    "*x",
    "&y ",
    "*y",
    "<<: ",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "? ",
    '"',
    "'",
    "\\",
    "\\e",
    "\\0",
    "#",
    "|",
    ">",
    "!!str ",
    "!!python/object ",
    "!!binary ",
    "2026-13-01",
    "2027-02-16 20:00:00",
    ".inf",
    ".nan",
    "off",
    "0x1F",
    "1" * 30,
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "\x00",
    "\x07",
    "\ufeff",
    "\u2028",
    "é",
]
yaml_like = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def _check_lines(doc: YamlDocument) -> None:
    assert all(isinstance(line, int) and line >= 1 for line in doc.lines.values())


@settings(
    max_examples=150,
    deadline=timedelta(seconds=5),
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.one_of(yaml_like, st.text(max_size=200)))
def test_any_text_parses_or_gives_a_located_error(text: str) -> None:
    try:
        doc = parse_yaml(text, F)
    except YamlSyntaxError as exc:
        assert str(exc).startswith("f.yaml")
        assert exc.line >= 1 and exc.problem
    else:
        _check_lines(doc)


@st.composite
def aliased(draw: st.DrawFn) -> str:
    """Anchored lists that repeat earlier ones: from tiny to exponential."""
    levels = draw(st.integers(1, 12))
    lines = [f"a0: &a0 [{', '.join(['x'] * draw(st.integers(1, 5)))}]"]
    for i in range(1, levels + 1):
        refs = [f"*a{draw(st.integers(0, i - 1))}" for _ in range(draw(st.integers(1, 6)))]
        merge = draw(st.booleans())
        body = f"{{<<: [{', '.join(f'*m{j}' for j in range(i) if j)}]}}" if merge and i > 1 else ""
        lines.append(f"a{i}: &a{i} [{', '.join(refs)}]")
        lines.append(f"m{i}: &m{i} {body or '{k: v}'}")
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=timedelta(seconds=5), derandomize=True)
@given(aliased())
def test_aliases_either_fit_the_budget_or_are_refused(text: str) -> None:
    try:
        doc = parse_yaml(text, F)
    except YamlSyntaxError as exc:
        assert "aliases (*name) repeat more than" in exc.problem
    else:
        assert len(doc.lines) <= 2 * ALIAS_BUDGET + 200
