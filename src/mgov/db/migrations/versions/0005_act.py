"""Acting on assessments: rectification tasks (整改), disputes (申诉) and the audit log.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'),
                                   ondelete='CASCADE')


def upgrade() -> None:
    op.create_table('rectification_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.String(length=80), nullable=False),
    sa.Column('profile_id', sa.String(length=80), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('assignees', sa.JSON(), nullable=False),
    sa.Column('escalated_to', sa.String(length=200), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('history', sa.JSON(), nullable=False),
    _fk('rectification_tasks', 'assessment_id', 'assessments'), _fk('rectification_tasks', 'channel_id', 'channels'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_tasks')),
    sa.UniqueConstraint('assessment_id', 'channel_id', 'indicator_id', name='uq_rectification_tasks_indicator')
    )
    op.create_index('ix_rectification_tasks_status_due', 'rectification_tasks', ['status', 'due_on'])
    op.create_index('ix_rectification_tasks_channel_indicator', 'rectification_tasks', ['channel_id', 'indicator_id'])
    op.create_table('disputes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.String(length=80), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('filed_by', sa.String(length=200), nullable=True),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reviewer', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    _fk('disputes', 'assessment_id', 'assessments'), _fk('disputes', 'channel_id', 'channels'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disputes'))
    )
    op.create_index('ix_disputes_assessment_channel', 'disputes', ['assessment_id', 'channel_id'])
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index('ix_audit_log_subject', 'audit_log', ['subject'])


def downgrade() -> None:
    op.drop_index('ix_audit_log_subject', table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_index('ix_disputes_assessment_channel', table_name='disputes')
    op.drop_table('disputes')
    op.drop_index('ix_rectification_tasks_channel_indicator', table_name='rectification_tasks')
    op.drop_index('ix_rectification_tasks_status_due', table_name='rectification_tasks')
    op.drop_table('rectification_tasks')
