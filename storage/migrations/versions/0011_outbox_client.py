"""the client an outbox row is about, so an export or erasure finds it by id, not by name

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 09:00:00.000000

A notice to a coach ("Sam gaf een 3") was found for a client's export or erasure only by a
parameter equal to their name: uncertain when two clients of that coach share it. Rows queued
from now on name their client in ``client_id``; rows written before stay NULL and are still
found by name (``storage.data_rights``).

No foreign key (see ``OutboxMessage.client_id``): an erasure deletes these rows itself. Plain
ALTER TABLE on both databases: no rebuild of the outbox, its partial claim index and CHECK
stay as they are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('outbox', sa.Column('client_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_outbox_client_id'), 'outbox', ['client_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_outbox_client_id'), table_name='outbox')
    op.execute('ALTER TABLE outbox DROP COLUMN client_id')
