"""Reviewer inspections (人工检查): an inspection of a channel for a period against a profile,
its checklist items (verdict, note, who filled it, the second reviewer's confirmation of a veto
not met, the assessment input it became) and the evidence files of its items.

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-14 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inspections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.String(length=80), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('selection', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('assignee', sa.String(length=120), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by', sa.String(length=200), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_inspections_channel_id_channels'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspections'))
    )
    op.create_index('ix_inspections_assignee_status', 'inspections', ['assignee', 'status'])
    op.create_index('ix_inspections_channel_period', 'inspections',
                    ['channel_id', 'profile_id', 'period_start', 'period_end'])
    op.create_table('inspection_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.String(length=80), nullable=False),
    sa.Column('rule', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('verdict', sa.String(length=20), nullable=True),
    sa.Column('instances', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('filled_by', sa.String(length=200), nullable=True),
    sa.Column('filled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmation', sa.String(length=20), nullable=True),
    sa.Column('confirmed_by', sa.String(length=200), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirm_note', sa.Text(), nullable=True),
    sa.Column('input_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'],
                            name=op.f('fk_inspection_items_inspection_id_inspections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_items')),
    sa.UniqueConstraint('inspection_id', 'indicator_id', name='uq_inspection_items_indicator')
    )
    op.create_index(op.f('ix_inspection_items_inspection_id'), 'inspection_items', ['inspection_id'])
    op.create_table('inspection_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('added_by', sa.String(length=200), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'],
                            name=op.f('fk_inspection_evidence_inspection_id_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['inspection_items.id'],
                            name=op.f('fk_inspection_evidence_item_id_inspection_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_evidence'))
    )
    op.create_index(op.f('ix_inspection_evidence_inspection_id'), 'inspection_evidence', ['inspection_id'])
    op.create_index(op.f('ix_inspection_evidence_item_id'), 'inspection_evidence', ['item_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_inspection_evidence_item_id'), table_name='inspection_evidence')
    op.drop_index(op.f('ix_inspection_evidence_inspection_id'), table_name='inspection_evidence')
    op.drop_table('inspection_evidence')
    op.drop_index(op.f('ix_inspection_items_inspection_id'), table_name='inspection_items')
    op.drop_table('inspection_items')
    op.drop_index('ix_inspections_channel_period', table_name='inspections')
    op.drop_index('ix_inspections_assignee_status', table_name='inspections')
    op.drop_table('inspections')
