"""The records archive's index (issue 19): the WARC files of the archive (written by mgov or
imported; their SHA-256 once sealed; how far their sidecar index is folded in) and one row
per WARC record with pywb's CDXJ fields and mgov's (run, channel, organization, digests).

Revision ID: 0020
Revises: 0016
Create Date: 2026-12-06 18:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('archive_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=1000), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('indexed_bytes', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_ok', sa.Boolean(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_files')),
    sa.UniqueConstraint('name', name=op.f('uq_archive_files_name'))
    )
    op.create_table('archive_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('offset', sa.BigInteger(), nullable=False),
    sa.Column('length', sa.BigInteger(), nullable=False),
    sa.Column('record_type', sa.String(length=20), nullable=False),
    sa.Column('lookup_key', sa.String(length=400), nullable=False),
    sa.Column('urlkey', sa.Text(), nullable=False),
    sa.Column('timestamp', sa.String(length=14), nullable=False),
    sa.Column('captured_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('mime', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), nullable=True),
    sa.Column('digest', sa.Text(), nullable=True),
    sa.Column('record_digest', sa.String(length=80), nullable=True),
    sa.Column('content_digest', sa.String(length=80), nullable=True),
    sa.Column('record_id', sa.Text(), nullable=True),
    sa.Column('pywb_default', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('channel_id', sa.Integer(), nullable=True),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('text_id', sa.Integer(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['archive_files.id'],
                            name=op.f('fk_archive_records_file_id_archive_files'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['scan_runs.id'],
                            name=op.f('fk_archive_records_run_id_scan_runs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'],
                            name=op.f('fk_archive_records_channel_id_channels'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'],
                            name=op.f('fk_archive_records_org_id_organizations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_records')),
    sa.UniqueConstraint('file_id', 'offset', name='uq_archive_records_file_offset')
    )
    op.create_index('ix_archive_records_lookup', 'archive_records', ['lookup_key', 'timestamp'])
    op.create_index('ix_archive_records_channel', 'archive_records', ['channel_id', 'captured_at'])
    op.create_index('ix_archive_records_content', 'archive_records', ['content_digest'])


def downgrade() -> None:
    op.drop_index('ix_archive_records_content', table_name='archive_records')
    op.drop_index('ix_archive_records_channel', table_name='archive_records')
    op.drop_index('ix_archive_records_lookup', table_name='archive_records')
    op.drop_table('archive_records')
    op.drop_table('archive_files')
