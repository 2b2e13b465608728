"""registry and notifications

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime
from shared.migrations import create_infra_tables, drop_infra_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lscbs",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("merged_into", sa.String(length=20), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["lscbs.id"], name=op.f("fk_lscbs_merged_into_lscbs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lscbs")),
    )
    op.create_table(
        "local_authorities",
        sa.Column("ons_code", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("dfe_la_code", sa.String(length=3), nullable=False),
        sa.Column("lscb_id", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["lscb_id"], ["lscbs.id"], name=op.f("fk_local_authorities_lscb_id_lscbs")
        ),
        sa.PrimaryKeyConstraint("ons_code", name=op.f("pk_local_authorities")),
    )
    with op.batch_alter_table("local_authorities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_local_authorities_lscb_id"), ["lscb_id"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("lscb_id", sa.String(length=20), nullable=False),
        sa.Column("incident_date", sa.Date(), nullable=False),
        sa.Column("became_aware_on", sa.Date(), nullable=False),
        sa.Column("notified_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("abuse_or_neglect", sa.JSON(), nullable=False),
        sa.Column("age_years", sa.Integer(), nullable=False),
        sa.Column("sex", sa.String(length=10), nullable=False),
        sa.Column("looked_after", sa.Boolean(), nullable=False),
        sa.Column("on_child_protection_plan", sa.Boolean(), nullable=False),
        sa.Column("agencies_involved", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("working_days_to_notify", sa.Integer(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lscb_id"], ["lscbs.id"], name=op.f("fk_notifications_lscb_id_lscbs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("reference", name=op.f("uq_notifications_reference")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_lscb_notified", ["lscb_id", "notified_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_notifications_notified_on"), ["notified_on"], unique=False
        )

    create_infra_tables()


def downgrade() -> None:
    drop_infra_tables()
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_notified_on"))
        batch_op.drop_index("ix_notifications_lscb_notified")

    op.drop_table("notifications")
    with op.batch_alter_table("local_authorities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_local_authorities_lscb_id"))

    op.drop_table("local_authorities")
    op.drop_table("lscbs")
