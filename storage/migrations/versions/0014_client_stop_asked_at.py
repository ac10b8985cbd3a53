"""since when a client's "Wil je stoppen met Waakvlam?" is their last open question

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 09:00:00.000000

A client who typed "stop" is asked whether they really want to stop. Until now only the
buttons answered it: a typed "nee" went on as a message to the coach, or as the answer to an
open check-in question. ``client.stop_asked_at`` marks the question open, so a typed "ja" or
"nee" answers it (``dialogs.stopping``). Nullable, no default: no existing client has the
question open. Plain ALTER TABLE on both databases: no table rebuild, the CHECKs stay.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types


revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'client',
        sa.Column('stop_asked_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.execute('ALTER TABLE client DROP COLUMN stop_asked_at')
