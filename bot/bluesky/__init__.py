"""The Bluesky side of the chat: the only package that imports the atproto SDK.

Importing the SDK costs about a second and some 50 MB of memory, so this package's `__init__`
imports nothing: `posts`, `errors` and `account` are plain (no SDK), and only `client` (with
`mapping`) loads it. The bot imports `bot.bluesky.client` only when a chat has a `bluesky:`
section. See docs/architecture.md ("Bluesky").
"""
