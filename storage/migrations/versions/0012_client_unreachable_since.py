"""since when a client's chat refuses the bot's messages (blocked, or the chat stopped)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 09:00:00.000000

Telegram answers 403 Forbidden to every message for a client who blocked the bot or deleted
the chat. The first refused message sets ``client.unreachable_since``; the client's next
message clears it. While it is set the coach knows why Sam is silent and scheduled check-ins
wait (``dialogs.reachability``). Nullable, no default: every existing client is reachable.
Plain ALTER TABLE on both databases: no table rebuild, the client's CHECKs stay as they are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'client',
        sa.Column('unreachable_since', storage.types.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.execute('ALTER TABLE client DROP COLUMN unreachable_since')
