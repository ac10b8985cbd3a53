"""indexes on the columns that point at a check-in or a relay, for deleting history quickly

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 11:00:00.000000

Deleting a check-in or a relay makes the database look for rows that still point at it
(``checkin_signal.checkin_id``, ``relay.answers_relay_id``). Without an index that is a scan
of the whole table per deleted row: the nightly retention job and an erasure took seconds per
thousand rows in a database of 10,000 clients (``bench/erase_retention.py``).
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f('ix_checkin_signal_checkin_id'), 'checkin_signal', ['checkin_id'], unique=False)
    op.create_index(op.f('ix_relay_answers_relay_id'), 'relay', ['answers_relay_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_relay_answers_relay_id'), table_name='relay')
    op.drop_index(op.f('ix_checkin_signal_checkin_id'), table_name='checkin_signal')
