"""recap.html: one self-contained, accessible page; rendered for real in headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from matplotlib import image as mpimg

from bot.recap.build import build_recap
from bot.recap.html import render_html
from bot.recap.model import Recap
from tests.fixtures.recap import scenario as sc

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is missing: `make browser` (or apt-get install chromium) installs it",
)


@pytest.fixture(scope="module")
def recap() -> Recap:
    return build_recap(sc.stored_input())


@pytest.fixture(scope="module")
def page(recap: Recap) -> str:
    return render_html(recap, chart_png=CHART)


CHART = b"\x89PNG\r\n\x1a\nfake"


class _Outline(HTMLParser):
    """Headings, image alts, external references and visible text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.alts: list[str] = []
        self.external: list[str] = []
        self.text: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("h1", "h2", "h3"):
            self._open = tag
            self.headings.append((tag, ""))
        if tag == "img":
            self.alts.append(a.get("alt") or "")
        if tag in ("img", "script", "iframe") or (tag == "link" and a.get("rel") == "stylesheet"):
            src = a.get("src") or a.get("href") or ""
            if not src.startswith("data:"):
                self.external.append(src)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self._open = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._open:
            tag, text = self.headings[-1]
            self.headings[-1] = (tag, text + data)


def outline(html: str) -> _Outline:
    parser = _Outline()
    parser.feed(html)
    return parser


def test_page_is_self_contained_with_inline_css_and_data_uri_chart(page: str) -> None:
    found = outline(page)
    assert found.external == [], "no file or network fetches: the page works offline"
    assert "<style>" in page and "data:image/png;base64," in page
    assert "<script" not in page


def test_headings_outline_and_chart_alt_text(page: str) -> None:
    found = outline(page)
    h1 = [t for tag, t in found.headings if tag == "h1"]
    h2 = [t for tag, t in found.headings if tag == "h2"]
    assert h1 == ["Leading through change"]
    assert [t for t in h2 if t.startswith("Q")] == [
        f"Q{n}: {q}" for n, q in enumerate(sc.QUESTIONS, 1)
    ]
    assert {"Summary", "Introductions", "Who took part (7)"} <= set(h2)
    assert len(found.alts) == 1 and "Q1 at 8:05 pm" in found.alts[0]
    assert '<html lang="en">' in page and 'name="viewport"' in page


def test_light_and_dark_colour_schemes(page: str) -> None:
    assert "@media (prefers-color-scheme: dark)" in page
    assert 'name="color-scheme" content="light dark"' in page


def test_user_text_is_escaped_and_links_are_safe(recap: Recap) -> None:
    evil = replace(
        recap.messages[0],
        text="<script>alert(1)</script> see https://ex.org/a?b=1&c=2. and javascript:alert(2)",
        author='<img src=x onerror="alert(3)">',
    )
    question = replace(recap.questions[0], top=(evil,))
    html = render_html(replace(recap, questions=(question,)), chart_png=CHART)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "<img src=x" not in html
    assert '<a href="https://ex.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">' in html
    assert 'href="javascript' not in html


def test_answers_show_author_time_reactions_and_links(page: str) -> None:
    url = sc.jump_url(sc.message_id("a1_ana"))
    assert (
        '<strong>Ana</strong> · <time datetime="2024-05-08T00:06:00+00:00">8:06 pm</time>'
        f' · 5 reactions · <a href="{url}">on Discord</a>'
    ) in page
    assert '<span class="late">late</span>' in page
    assert 'aria-label="Replies"' in page


def test_archive_pages_link_home(recap: Recap) -> None:
    assert '<a href="../index.html">← All chats</a>' in render_html(
        recap, chart_png=CHART, home_url="../index.html"
    )


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    profile = tmp_path / "profile"
    return subprocess.run(
        [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        timeout=90,
        check=True,
    )


@needs_chromium
def test_chromium_renders_a_readable_phone_screenshot(recap: Recap, tmp_path: Path) -> None:
    page = tmp_path / "recap.html"
    page.write_text(render_html(recap), encoding="utf-8")
    shot = tmp_path / "shot.png"
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=412,1600", page.as_uri())
    pixels = mpimg.imread(shot)
    assert pixels.shape[:2] == (1600, 412)
    distinct = np.unique((pixels[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(distinct) > 50, "the screenshot shows text and the chart, not a blank page"


@needs_chromium
def test_chromium_dom_has_every_question(recap: Recap, tmp_path: Path) -> None:
    if shutil.which(str(CHROMIUM)) is None:
        pytest.skip("chromium is not executable")
    page = tmp_path / "recap.html"
    page.write_text(render_html(recap), encoding="utf-8")
    dom = _chromium(tmp_path, "--dump-dom", page.as_uri()).stdout.decode("utf-8")
    text = " ".join(outline(dom).text)
    for n, q in enumerate(sc.QUESTIONS, 1):
        assert f"Q{n}: {q}" in text
    assert "Leaders listen first" in text
