"""the client's messages asked about ("send this to Anna?") and not answered yet

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 11:00:00.000000

Two quick messages from a client who has not said yes to sending yet each got their own
"Wil je dit naar Anna sturen?"; a yes under the second sent only the second. Now one yes
sends every message asked about and not answered, oldest first (``dialogs.relay``).
``client.relay_asked`` holds their message ids, a JSON list (never content); nullable, no
default (None: none asked): a plain ALTER TABLE on both databases, the client's CHECKs stay
as they are. The downgrade drops the column: each old question then sends its own message.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('client', sa.Column('relay_asked', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.execute('ALTER TABLE client DROP COLUMN relay_asked')
