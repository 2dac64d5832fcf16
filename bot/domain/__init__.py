"""The domain: what a chat is made of (sessions, their topic snapshot, the step ledger, member
messages, members and their participation), as plain frozen dataclasses and enums.

Everything else speaks in these types: the store maps its rows to them, the engine and the
recap read and write them, and the platforms (Discord, later Bluesky) never see them. Nothing
here imports anything but the standard library.
"""
