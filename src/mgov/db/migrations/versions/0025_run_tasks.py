"""Distributed runs (issue 20): run_tasks, a channel of a run sent to the cluster's workers.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 21:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('run_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('worker', sa.String(length=200), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_run_tasks_channel_id_channels'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['scan_runs.id'], name=op.f('fk_run_tasks_run_id_scan_runs'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_run_tasks')),
    sa.UniqueConstraint('run_id', 'channel_id', name='uq_run_tasks_run_channel')
    )
    with op.batch_alter_table('run_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_run_tasks_run_id'), ['run_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('run_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_run_tasks_run_id'))
    op.drop_table('run_tasks')
