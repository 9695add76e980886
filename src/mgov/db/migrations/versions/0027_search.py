"""The archive's search index (issue 19): one row per captured page or attachment with its
text and tokens; the full-text index over the tokens is FTS5 on SQLite (external content,
unicode61 over mgov's own tokens) and a tsvector ('simple') with a GIN index on PostgreSQL.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 22:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('search_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=True),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('timestamp', sa.String(length=14), nullable=False),
    sa.Column('captured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('content_type', sa.String(length=200), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('truncated', sa.Boolean(), nullable=False),
    sa.Column('tokens', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_search_documents_channel_id_channels'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_search_documents_org_id_organizations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['record_id'], ['archive_records.id'], name=op.f('fk_search_documents_record_id_archive_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    sa.UniqueConstraint('record_id', name=op.f('uq_search_documents_record_id'))
    )
    op.create_index('ix_search_documents_channel', 'search_documents', ['channel_id', 'captured_at'], unique=False)
    op.create_index('ix_search_documents_org', 'search_documents', ['org_id', 'captured_at'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE search_documents ADD COLUMN tsv tsvector NOT NULL")
        op.execute("CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)")
    else:
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(tokens, content='search_documents', "
                   "content_rowid='id', tokenize='unicode61 remove_diacritics 0')")
        # A document deleted (its capture destroyed by a disposition) leaves the index with it: an
        # entry left behind would match the next document given its rowid.
        op.execute("CREATE TRIGGER search_documents_deleted AFTER DELETE ON search_documents BEGIN "
                   "INSERT INTO search_fts (search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); END")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        op.execute("DROP TRIGGER search_documents_deleted")
        op.execute("DROP TABLE search_fts")
    op.drop_index('ix_search_documents_org', table_name='search_documents')
    op.drop_index('ix_search_documents_channel', table_name='search_documents')
    op.drop_table('search_documents')
