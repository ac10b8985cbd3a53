"""Benchmarks: figures printed, never part of the test run's pass or fail (see the README's
*Measured*)."""

# The bot's package first, as `waakvlam run` loads it: what it sets up before any library is
# imported (bot/__init__.py) then holds in every benchmark too.
import bot  # noqa: F401
