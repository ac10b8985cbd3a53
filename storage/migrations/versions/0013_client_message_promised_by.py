"""the coach who promised a client a message (the promise outlives the coach's wait)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 07:00:00.000000

A client told "Anna stuurt je zo een bericht" (a signal's "💬", an alert picked up without a
phone number) is owed that message until Anna's message to them is relayed. Until now only
Anna's wait remembered it (``coach.awaiting`` ``message:<id>:told``), so a cancel or another
question lost it. ``client.message_promised_by`` holds the coach's id; nullable, no default,
no foreign key: a plain ALTER TABLE on both databases, the client's CHECKs stay as they are.
The upgrade carries over the promises the stored waits hold; the downgrade drops the column.
Promises made after the upgrade are not carried back (this version no longer marks the wait):
after a downgrade their reminder is lost, the promise to the client itself is not undone.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('client', sa.Column('message_promised_by', sa.Integer(), nullable=True))
    # A wait "message:<client id>:told" is a promise to that client (a bind for the suffix:
    # a literal ":told" would read as a parameter).
    told = "coach.awaiting = 'message:' || CAST(client.id AS VARCHAR(12)) || :suffix"
    op.execute(
        sa.text(
            f"UPDATE client SET message_promised_by = (SELECT MIN(coach.id) FROM coach "
            f"WHERE {told}) WHERE EXISTS (SELECT 1 FROM coach WHERE {told})"
        ).bindparams(suffix=':told')
    )


def downgrade() -> None:
    op.execute('ALTER TABLE client DROP COLUMN message_promised_by')
