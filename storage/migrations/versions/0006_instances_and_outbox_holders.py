"""running instances with heartbeats; an outbox row is held by an instance, not by a lease

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:00:00.000000

A claim was a 60-second lease (``claimed_until``): a crashed instance's rows waited a minute,
and a send slower than the lease (an alert waiting out 429s) could be sent by a second
instance too. Now a row names the instance holding it (``claimed_by``), which keeps it while
its heartbeat is fresh. Rows leased before the upgrade are free at once: stop every instance
before upgrading.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('instance',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('host', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('started_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    # Plain ALTER TABLE on both databases (SQLite 3.35+ drops a column in place): no table
    # rebuild, so the outbox keeps its partial claim index and its CHECK as they are.
    op.add_column('outbox', sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
    op.execute('ALTER TABLE outbox DROP COLUMN claimed_until')


def downgrade() -> None:
    op.add_column('outbox', sa.Column('claimed_until', storage.types.UTCDateTime(timezone=True), nullable=True))
    op.execute('ALTER TABLE outbox DROP COLUMN claimed_by')
    op.drop_table('instance')
