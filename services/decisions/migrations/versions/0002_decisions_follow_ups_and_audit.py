"""decisions, follow-ups and audit

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("lscb_id", sa.String(length=20), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("other_reason", sa.Text(), nullable=True),
        sa.Column("alternative_review_type", sa.String(length=60), nullable=True),
        sa.Column("alternative_review_type_label", sa.String(length=300), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("reviewers", sa.JSON(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_decisions_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("case_id", name=op.f("uq_decisions_case_id")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_decided_on"), ["decided_on"], unique=False)
        batch_op.create_index("ix_decisions_lscb_decided", ["lscb_id", "decided_on"], unique=False)

    op.create_table(
        "audit_entries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("decision_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=30), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("state_before", sa.String(length=40), nullable=False),
        sa.Column("state_after", sa.String(length=40), nullable=False),
        sa.Column("change", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_audit_entries_decision_id_decisions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
        sa.UniqueConstraint("decision_id", "seq", name=op.f("uq_audit_entries_decision_id")),
    )
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("decision_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("lscb_id", sa.String(length=20), nullable=False),
        sa.Column("consideration_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("overdue_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("response_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_follow_ups_decision_id_decisions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
    )
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_ups_decision_id"), ["decision_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_follow_ups_lscb_id"), ["lscb_id"], unique=False)
        batch_op.create_index("ix_follow_ups_status_due", ["status", "due_on"], unique=False)

    # Cases opened before this revision await their decision since they were notified.
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state_since", sa.Date(), nullable=True))
    op.execute("UPDATE cases SET state_since = notified_on")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column("state_since", existing_type=sa.Date(), nullable=False)
        batch_op.create_index(batch_op.f("ix_cases_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_state"))
        batch_op.drop_column("state_since")

    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_ups_status_due")
        batch_op.drop_index(batch_op.f("ix_follow_ups_lscb_id"))
        batch_op.drop_index(batch_op.f("ix_follow_ups_decision_id"))

    op.drop_table("follow_ups")
    op.drop_table("audit_entries")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_decisions_lscb_decided")
        batch_op.drop_index(batch_op.f("ix_decisions_decided_on"))

    op.drop_table("decisions")
