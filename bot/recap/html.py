"""recap.html: one self-contained page (inline CSS, chart as a data: URI), phone-friendly,
light/dark, accessible. The archive site uses the same template family (base.html.j2).
"""

from __future__ import annotations

import base64
import re
from datetime import datetime
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup, escape

from bot.recap import display
from bot.recap.chart import describe_activity, render_activity_png
from bot.recap.markdown import summary_sentence
from bot.recap.model import Recap, platform_name
from bot.recap.text import safe_url

_URL = re.compile(r"https?://[^\s<>\"']+")
_LINK = Markup('<a href="{0}" rel="nofollow ugc noopener">{0}</a>')


def linkify(text: str) -> Markup:
    """Escaped user text with its http(s) links made clickable (rel=nofollow ugc)."""
    out: list[Markup] = []
    pos = 0
    for m in _URL.finditer(text):
        url = m.group().rstrip(".,;:!?)]}'")
        out.append(escape(text[pos : m.start()]))
        out.append(_LINK.format(url))
        pos = m.start() + len(url)
    out.append(escape(text[pos:]))
    return Markup("").join(out)


@cache
def environment() -> jinja2.Environment:
    """Templates are package data (bot/recap/templates); autoescape is always on."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bot.recap", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        linkify=linkify,
        safe_url=safe_url,
        plural=display.plural,
        platform_name=platform_name,
        clock=lambda at, tz: display.clock(at, tz),
        iso=lambda at: at.isoformat() if isinstance(at, datetime) else "",
    )
    env.globals.update(span=display.span, names_list=display.names_list)
    return env


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_html(
    recap: Recap, *, chart_png: bytes | None = None, home_url: str | None = None
) -> str:
    """The recap page. ``home_url``: link back to an archive index (the site sets it)."""
    png = chart_png if chart_png is not None else render_activity_png(recap)
    context: dict[str, Any] = {
        "recap": recap,
        "tz": recap.timezone,
        "summary": summary_sentence(recap),
        "chart_uri": data_uri(png),
        "chart_alt": describe_activity(recap),
        "home_url": home_url,
        "page_title": f"{recap.display_title} ({recap.chat_date.isoformat()})",
        "prep_post": safe_url(recap.prep_post),
    }
    return environment().get_template("recap.html.j2").render(context)
