"""learning repository: full-text index over repository_entries

PostgreSQL: a stored generated ``tsvector`` column ``search_vector`` (english; title weight A,
learning points and recommendations B, body C) and a GIN index on it.

SQLite: an FTS5 external-content table ``repository_fts`` over the same four columns (porter
stemming), kept in step with ``repository_entries`` by three triggers, filled from the rows already
there.

Neither is declared in the models (a ``tsvector`` column would break SQLite);
``shared.migrations`` keeps autogenerate from offering to drop them. On SQLite, a later batch
operation on ``repository_entries`` (which copies and re-creates the table) drops its triggers:
such a revision must re-create them, as here, and rebuild the index.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

FTS_COLUMNS = "title, learning_points, recommendations, body"

POSTGRES_UPGRADE = (
    """
    ALTER TABLE repository_entries ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(
            to_tsvector(
                'english'::regconfig,
                coalesce(learning_points, '') || E'\\n' || coalesce(recommendations, '')
            ),
            'B'
        )
        || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'C')
    ) STORED
    """,
    "CREATE INDEX ix_repository_entries_search_vector ON repository_entries "
    "USING gin (search_vector)",
)

POSTGRES_DOWNGRADE = (
    "DROP INDEX ix_repository_entries_search_vector",
    "ALTER TABLE repository_entries DROP COLUMN search_vector",
)

SQLITE_UPGRADE = (
    f"""
    CREATE VIRTUAL TABLE repository_fts USING fts5(
        {FTS_COLUMNS},
        content='repository_entries',
        content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    f"""
    CREATE TRIGGER repository_fts_after_insert AFTER INSERT ON repository_entries BEGIN
        INSERT INTO repository_fts (rowid, {FTS_COLUMNS})
        VALUES (new.id, new.title, new.learning_points, new.recommendations, new.body);
    END
    """,
    f"""
    CREATE TRIGGER repository_fts_after_delete AFTER DELETE ON repository_entries BEGIN
        INSERT INTO repository_fts (repository_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.id, old.title, old.learning_points, old.recommendations, old.body);
    END
    """,
    f"""
    CREATE TRIGGER repository_fts_after_update AFTER UPDATE ON repository_entries BEGIN
        INSERT INTO repository_fts (repository_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.id, old.title, old.learning_points, old.recommendations, old.body);
        INSERT INTO repository_fts (rowid, {FTS_COLUMNS})
        VALUES (new.id, new.title, new.learning_points, new.recommendations, new.body);
    END
    """,
    # The entries already there (an external-content table reads them from repository_entries).
    "INSERT INTO repository_fts (repository_fts) VALUES ('rebuild')",
)

SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS repository_fts_after_update",
    "DROP TRIGGER IF EXISTS repository_fts_after_delete",
    "DROP TRIGGER IF EXISTS repository_fts_after_insert",
    "DROP TABLE IF EXISTS repository_fts",
)


def _run(statements: tuple[str, ...]) -> None:
    for statement in statements:
        op.execute(statement)


# The project runs on these two databases only; each has its own full-text machinery.
STATEMENTS = {
    "postgresql": (POSTGRES_UPGRADE, POSTGRES_DOWNGRADE),
    "sqlite": (SQLITE_UPGRADE, SQLITE_DOWNGRADE),
}


def _for_this_database() -> tuple[tuple[str, ...], tuple[str, ...]]:
    dialect = op.get_bind().dialect.name
    if dialect not in STATEMENTS:
        raise RuntimeError(f"the learning repository needs PostgreSQL or SQLite, not {dialect}")
    return STATEMENTS[dialect]


def upgrade() -> None:
    _run(_for_this_database()[0])


def downgrade() -> None:
    _run(_for_this_database()[1])
