"""The chat engine: sessions, the step ledger, capture and host controls (no discord import)."""

from bot.engine.controls import ControlError
from bot.engine.engine import ChatEngine, RecapPublisher, step_nonce

__all__ = ["ChatEngine", "ControlError", "RecapPublisher", "step_nonce"]
