"""The chat engine: sessions, the step ledger, capture and host controls (no platform import)."""

from bot.engine.controls import ControlError
from bot.engine.engine import ChatEngine, Platform
from bot.engine.ports import RecapPublisher, TopicSource
from bot.engine.sending import step_nonce

__all__ = ["ChatEngine", "ControlError", "Platform", "RecapPublisher", "TopicSource", "step_nonce"]
