"""Retention and disposition of the records archive (issue 19): legal holds, dispositions
(reported, approved, done) with the records they list, and tombstones of destroyed records.

Revision ID: 0023
Revises: 0020
Create Date: 2026-12-08 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('archive_holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=True),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('placed_by', sa.String(length=200), nullable=False),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('released_by', sa.String(length=200), nullable=True),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('release_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_archive_holds_channel_id_channels')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_archive_holds_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_holds'))
    )
    op.create_table('archive_dispositions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('reported_by', sa.String(length=200), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by', sa.String(length=200), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'],
                            name=op.f('fk_archive_dispositions_org_id_organizations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_dispositions'))
    )
    op.create_table('archive_disposition_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('disposition_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('offset', sa.BigInteger(), nullable=False),
    sa.Column('length', sa.BigInteger(), nullable=False),
    sa.Column('schedule_item', sa.String(length=200), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=True),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('captured_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['disposition_id'], ['archive_dispositions.id'],
                            name=op.f('fk_archive_disposition_items_disposition_id_archive_dispositions'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_disposition_items'))
    )
    op.create_index('ix_archive_disposition_items_disposition', 'archive_disposition_items',
                    ['disposition_id', 'file_id'])
    op.create_table('archive_tombstones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('disposition_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=1000), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=True),
    sa.Column('offset', sa.BigInteger(), nullable=False),
    sa.Column('length', sa.BigInteger(), nullable=False),
    sa.Column('record_type', sa.String(length=20), nullable=False),
    sa.Column('warc_record_id', sa.Text(), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('timestamp', sa.String(length=14), nullable=False),
    sa.Column('payload_digest', sa.Text(), nullable=True),
    sa.Column('record_digest', sa.String(length=80), nullable=True),
    sa.Column('content_digest', sa.String(length=80), nullable=True),
    sa.Column('channel_id', sa.Integer(), nullable=True),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('schedule_item', sa.String(length=200), nullable=False),
    sa.Column('destroyed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['disposition_id'], ['archive_dispositions.id'],
                            name=op.f('fk_archive_tombstones_disposition_id_archive_dispositions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_tombstones'))
    )
    op.create_index('ix_archive_tombstones_place', 'archive_tombstones', ['file_name', 'offset'])
    op.create_index('ix_archive_tombstones_disposition', 'archive_tombstones', ['disposition_id'])


def downgrade() -> None:
    op.drop_index('ix_archive_tombstones_disposition', table_name='archive_tombstones')
    op.drop_index('ix_archive_tombstones_place', table_name='archive_tombstones')
    op.drop_table('archive_tombstones')
    op.drop_index('ix_archive_disposition_items_disposition', table_name='archive_disposition_items')
    op.drop_table('archive_disposition_items')
    op.drop_table('archive_dispositions')
    op.drop_table('archive_holds')
