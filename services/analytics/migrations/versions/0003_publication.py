"""publication: reports, non-publication notices and their steps, quality reviews (scores and
problems as rows) and recommendations with their status changes

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notice_steps",
        sa.Column("notice_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("considered_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("first_consideration", sa.Boolean(), nullable=True),
        sa.Column("statutory_breach", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("notice_id", "seq", name=op.f("pk_notice_steps")),
    )
    with op.batch_alter_table("notice_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notice_steps_considered_on"), ["considered_on"], unique=False
        )
        batch_op.create_index("ix_notice_steps_notice_on", ["notice_id", "on", "seq"], unique=False)

    op.create_table(
        "notices",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scr_id", sa.String(length=36), nullable=False),
        sa.Column("lscb_id", sa.String(length=20), nullable=False),
        sa.Column("notified_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notices_notified_on"), ["notified_on"], unique=False)

    op.create_table(
        "quality_problems",
        sa.Column("review_id", sa.String(length=36), nullable=False),
        sa.Column("problem", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("review_id", "problem", name=op.f("pk_quality_problems")),
    )
    op.create_table(
        "quality_reviews",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("lscb_id", sa.String(length=20), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("working_together", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_reviews")),
    )
    with op.batch_alter_table("quality_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quality_reviews_reviewed_on"), ["reviewed_on"], unique=False
        )

    op.create_table(
        "quality_scores",
        sa.Column("review_id", sa.String(length=36), nullable=False),
        sa.Column("feature", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("review_id", "feature", name=op.f("pk_quality_scores")),
    )
    op.create_table(
        "recommendation_steps",
        sa.Column("recommendation_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("recommendation_id", "seq", name=op.f("pk_recommendation_steps")),
    )
    with op.batch_alter_table("recommendation_steps", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recommendation_steps_recommendation_changed",
            ["recommendation_id", "changed_on", "seq"],
            unique=False,
        )

    op.create_table(
        "recommendations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("lscb_id", sa.String(length=20), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("names_addressee", sa.Boolean(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
    )
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recommendations_made_on"), ["made_on"], unique=False)

    op.create_table(
        "reports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("scr_id", sa.String(length=36), nullable=False),
        sa.Column("lscb_id", sa.String(length=20), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("short_notice", sa.Boolean(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_submitted_on"), ["submitted_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_submitted_on"))

    op.drop_table("reports")
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendations_made_on"))

    op.drop_table("recommendations")
    with op.batch_alter_table("recommendation_steps", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendation_steps_recommendation_changed")

    op.drop_table("recommendation_steps")
    op.drop_table("quality_scores")
    with op.batch_alter_table("quality_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quality_reviews_reviewed_on"))

    op.drop_table("quality_reviews")
    op.drop_table("quality_problems")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_notified_on"))

    op.drop_table("notices")
    with op.batch_alter_table("notice_steps", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_steps_notice_on")
        batch_op.drop_index(batch_op.f("ix_notice_steps_considered_on"))

    op.drop_table("notice_steps")
