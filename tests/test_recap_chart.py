"""activity.png: messages per minute with the questions marked; its alt text says the same."""

from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from matplotlib import image as mpimg

from bot.recap.build import build_recap
from bot.recap.chart import activity, describe_activity, render_activity_png
from bot.recap.model import Recap
from tests.fixtures.recap import scenario as sc


@pytest.fixture(scope="module")
def recap() -> Recap:
    return build_recap(sc.stored_input())


def test_counts_per_minute_from_start_to_close_without_late_messages(recap: Recap) -> None:
    first, counts = activity(recap)
    assert first == sc.START and len(counts) == 60
    assert counts[1:5] == [1, 1, 1, 1]  # the intros and the early label
    assert counts[6] == 2  # Ana and Ben at 8:06
    assert sum(counts) == recap.stats.messages - 2  # the two late answers are not in the hour


def test_png_is_a_real_chart(recap: Recap) -> None:
    png = render_activity_png(recap)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    pixels = mpimg.imread(io.BytesIO(png), format="png")
    assert pixels.shape[:2] == (360, 1000)
    colours = np.unique((pixels[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 20, "bars, question markers and labels, not a blank image"


def test_same_recap_same_png(recap: Recap) -> None:
    assert render_activity_png(recap) == render_activity_png(recap)


def test_alt_text_tells_what_the_chart_shows(recap: Recap) -> None:
    alt = describe_activity(recap)
    assert alt.startswith("Bar chart of messages per minute from 8:00 pm to 9:00 pm EDT.")
    assert "Q1 at 8:05 pm, Q2 at 8:14 pm" in alt and "Q6 at 8:50 pm" in alt
    assert "Busiest minute: 8:06 pm with 2 messages." in alt
    assert "Not shown: 2 messages after the chat." in alt


def test_a_chat_with_no_messages_still_draws(recap: Recap) -> None:
    empty = replace(recap, messages=(), stats=replace(recap.stats, busiest_minute=None))
    assert render_activity_png(empty).startswith(b"\x89PNG")
    assert "Busiest" not in describe_activity(empty)


def test_starting_the_bot_does_not_load_matplotlib() -> None:
    """matplotlib is ~50 MB of the bot's memory; only drawing a chart may load it."""
    probe = (
        "import sys, bot.cli.main, bot.discord.runner, bot.engine.recap_publisher, bot.recap.files;"
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"
