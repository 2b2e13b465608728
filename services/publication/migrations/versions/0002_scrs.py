"""scrs

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
        "scrs",
        sa.Column("scr_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("decision_id", sa.String(length=36), nullable=False),
        sa.Column("lscb_id", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("initiated_on", sa.Date(), nullable=False),
        sa.Column("after_advice", sa.Boolean(), nullable=False),
        sa.Column("reviewers", sa.JSON(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("scr_id", name=op.f("pk_scrs")),
    )
    with op.batch_alter_table("scrs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scrs_initiated_on"), ["initiated_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_scrs_lscb_id"), ["lscb_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scrs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scrs_lscb_id"))
        batch_op.drop_index(batch_op.f("ix_scrs_initiated_on"))

    op.drop_table("scrs")
