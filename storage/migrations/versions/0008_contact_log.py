"""contact logged by a coach: a call, a visit, a talk elsewhere (issue 15, the client card)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 10:00:00.000000

One row per logged contact, with an optional short note for the coach only. Counts as contact
for the coach's list; part of the client's export and erased with the client.

The value set is written out here, not imported: a migration keeps meaning what it meant.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("call", "visit", "elsewhere")


def upgrade() -> None:
    allowed = ", ".join(f"'{kind}'" for kind in KINDS)
    op.create_table('contact_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=False),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.CheckConstraint(f"kind IN ({allowed})", name='ck_contact_log_kind'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ),
    sa.ForeignKeyConstraint(['coach_id'], ['coach.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contact_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_log_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_log_coach_id'), ['coach_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contact_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_log_coach_id'))
        batch_op.drop_index(batch_op.f('ix_contact_log_client_id'))
    op.drop_table('contact_log')
