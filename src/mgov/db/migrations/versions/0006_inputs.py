"""Assessment inputs: manual review decisions, 好差评 counts and usage figures per channel,
indicator and period (newest wins; older rows are history).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assessment_inputs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.String(length=80), nullable=False),
    sa.Column('indicator_id', sa.String(length=80), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('entered_by', sa.String(length=200), nullable=True),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_assessment_inputs_channel_id_channels'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_inputs'))
    )
    op.create_index('ix_assessment_inputs_period', 'assessment_inputs',
                    ['profile_id', 'period_start', 'period_end', 'kind'])
    op.create_index('ix_assessment_inputs_channel_indicator', 'assessment_inputs', ['channel_id', 'indicator_id'])


def downgrade() -> None:
    op.drop_index('ix_assessment_inputs_channel_indicator', table_name='assessment_inputs')
    op.drop_index('ix_assessment_inputs_period', table_name='assessment_inputs')
    op.drop_table('assessment_inputs')
