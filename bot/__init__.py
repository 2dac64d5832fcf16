"""leadershipchat: a Discord bot that moderates a weekly Twitter-style chat and publishes recaps."""

__version__ = "0.1.0"
