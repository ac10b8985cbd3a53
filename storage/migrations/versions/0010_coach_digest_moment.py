"""a coach's own moment for the weekly digest (issue 15, coach settings)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 12:00:00.000000

Both empty: the organisation's ``WAAKVLAM_DIGEST_WEEKDAY`` and ``WAAKVLAM_DIGEST_TIME``.
``digest_weekday`` 0 means no digest for this coach.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('coach', sa.Column('digest_weekday', sa.Integer(), nullable=True))
    op.add_column('coach', sa.Column('digest_time', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True))


def downgrade() -> None:
    op.execute('ALTER TABLE coach DROP COLUMN digest_time')
    op.execute('ALTER TABLE coach DROP COLUMN digest_weekday')
