"""storage guarantees: one open alert and one open check-in per client, statuses as closed
sets, an index for the outbox claim

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:00:00.000000

Data written before this revision could hold a second open alert or check-in for a client
(nothing in the database stopped it). Those are closed first, the newest one staying open,
the way the bot closes them now: an older alert as "superseded" (with its timeline event),
an older check-in as "unfinished" (answers given) or "missed" (none).

The value sets are written out here, not imported: a migration keeps meaning what it meant.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import storage.types


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_ALERT = "closed_at IS NULL"
OPEN_CHECKIN = "status = 'open'"
PENDING = "sent_at IS NULL AND failed_at IS NULL"

# table -> (constraint, column, values)
CHECKS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "coach": [("ck_coach_status", "status", ("invited", "active", "inactive"))],
    "client": [
        (
            "ck_client_status",
            "status",
            ("invited", "consent_pending", "voice_pending", "active", "declined", "ended"),
        )
    ],
    "support_phase": [
        ("ck_support_phase_phase", "phase", ("start", "regular", "waakvlam", "ended"))
    ],
    "invite": [("ck_invite_kind", "kind", ("coach", "client"))],
    "alert": [
        (
            "ck_alert_outcome",
            "outcome",
            ("talked", "visited", "referred", "false_alarm", "auto_closed", "superseded"),
        )
    ],
    "alert_recipient": [("ck_alert_recipient_role", "role", ("coach", "backup", "group"))],
    "checkin": [
        ("ck_checkin_status", "status", ("open", "done", "unfinished", "missed")),
        ("ck_checkin_origin", "origin", ("schedule", "client", "coach")),
    ],
    "relay": [("ck_relay_direction", "direction", ("to_coach", "to_client"))],
}

alert = sa.table(
    "alert",
    sa.column("id", sa.Integer),
    sa.column("client_id", sa.Integer),
    sa.column("closed_at", storage.types.UTCDateTime()),
    sa.column("outcome", sa.String),
)
alert_event = sa.table(
    "alert_event",
    sa.column("alert_id", sa.Integer),
    sa.column("at", storage.types.UTCDateTime()),
    sa.column("kind", sa.String),
)
checkin = sa.table(
    "checkin",
    sa.column("id", sa.Integer),
    sa.column("client_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("answers", sa.JSON),
    sa.column("wake_at", storage.types.UTCDateTime()),
    sa.column("finished_at", storage.types.UTCDateTime()),
)


def _older_open(table: sa.TableClause, open_column: str, open_value: str | None) -> list[int]:
    """Ids of open rows that have a newer open row of the same client."""
    newer = table.alias("newer")

    def is_open(t: sa.TableClause | sa.Alias) -> sa.ColumnElement[bool]:
        column = t.c[open_column]
        return column.is_(None) if open_value is None else column == open_value

    newer_open = sa.exists().where(
        newer.c.client_id == table.c.client_id, newer.c.id > table.c.id, is_open(newer)
    )
    rows = op.get_bind().execute(sa.select(table.c.id).where(is_open(table), newer_open))
    return [row.id for row in rows]


def _close_duplicates() -> None:
    bind = op.get_bind()
    now = datetime.now(UTC)
    for alert_id in _older_open(alert, "closed_at", None):
        bind.execute(
            sa.update(alert).where(alert.c.id == alert_id).values(closed_at=now, outcome="superseded")
        )
        bind.execute(sa.insert(alert_event).values(alert_id=alert_id, at=now, kind="superseded"))
    for checkin_id in _older_open(checkin, "status", "open"):
        answers = bind.execute(sa.select(checkin.c.answers).where(checkin.c.id == checkin_id)).scalar()
        bind.execute(
            sa.update(checkin)
            .where(checkin.c.id == checkin_id)
            .values(status="unfinished" if answers else "missed", finished_at=now, wake_at=None)
        )


def upgrade() -> None:
    _close_duplicates()

    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, column, values in checks:
                allowed = ", ".join(f"'{value}'" for value in values)
                batch_op.create_check_constraint(name, f"{column} IN ({allowed})")

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_check_constraint('ck_outbox_sent_or_failed', 'sent_at IS NULL OR failed_at IS NULL')

    # After the batches: SQLite's batch mode rebuilds a table, and these must keep their WHERE.
    op.create_index(
        'ux_alert_open_per_client', 'alert', ['client_id'], unique=True,
        sqlite_where=sa.text(OPEN_ALERT), postgresql_where=sa.text(OPEN_ALERT),
    )
    op.create_index(
        'ux_checkin_open_per_client', 'checkin', ['client_id'], unique=True,
        sqlite_where=sa.text(OPEN_CHECKIN), postgresql_where=sa.text(OPEN_CHECKIN),
    )
    op.create_index(
        'ix_outbox_claim', 'outbox', ['priority', 'id', 'next_attempt_at'], unique=False,
        sqlite_where=sa.text(PENDING), postgresql_where=sa.text(PENDING),
    )


def downgrade() -> None:
    op.drop_index('ix_outbox_claim', table_name='outbox')
    op.drop_index('ux_checkin_open_per_client', table_name='checkin')
    op.drop_index('ux_alert_open_per_client', table_name='alert')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint('ck_outbox_sent_or_failed', type_='check')
    for table, checks in reversed(CHECKS.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _column, _values in checks:
                batch_op.drop_constraint(name, type_='check')
