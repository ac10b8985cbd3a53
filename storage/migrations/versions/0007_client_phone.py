"""a client's phone number, optional (issue 14, point 5: nobody could call the client)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 09:00:00.000000

Shared by the client with Telegram's contact button after joining, or added by their coach
(``/telefoon``). Stored as E.164 ("+31612345678"); part of the client's export and erased with
the client row.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE on both databases: no table rebuild, the client's CHECKs stay as they are.
    op.add_column('client', sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))


def downgrade() -> None:
    op.execute('ALTER TABLE client DROP COLUMN phone')
