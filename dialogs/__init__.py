"""The conversations, channel-agnostic and pure.

A dialog takes what happened (an event), who it happened to (a person view) and the time, and
returns an ``Outcome``: replies as text keys with buttons, and effects as data. No Telegram,
no SQL session, no wall clock: the shell in ``bot/`` does all I/O.
"""
