"""The Discord edge: the only package that imports discord.py.

`client.LeadershipBot` wires the engine to a gateway connection; `transport.DiscordTransport`
is the engine's ChatTransport; `cogs/` listen (capture, moderation) and `commands/` answer the
`/chat` and `/chathost` slash commands; `runner.run_bot` is what `leadershipchat run` calls. Nothing here is
imported by the core.
"""
