"""Rectification as work: a task's one assignee (a person key), its escalation level, a pending
re-check request, and the evidence of its fix (URLs and small files kept under the archive).

Tasks stored before get the assignee the opening would have picked without their indicator's
role (the channel's content manager, else the first person listed), and escalated ones level 1.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def _first_assignee(people: list[dict[str, str]] | None) -> str | None:
    people = [p for p in people or [] if isinstance(p, dict) and p.get('person')]
    managers = [p for p in people if p.get('role') == 'content_manager']
    chosen = (managers or people or [None])[0]
    return chosen['person'] if chosen else None


def upgrade() -> None:
    with op.batch_alter_table('rectification_tasks') as batch:
        batch.add_column(sa.Column('assignee', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('escalation_level', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('recheck_requested_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('recheck_requested_by', sa.String(length=200), nullable=True))
    op.create_table('task_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('media_type', sa.String(length=100), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('added_by', sa.String(length=200), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['rectification_tasks.id'],
                            name=op.f('fk_task_evidence_task_id_rectification_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_evidence'))
    )
    op.create_index(op.f('ix_task_evidence_task_id'), 'task_evidence', ['task_id'])
    tasks = sa.table('rectification_tasks', sa.column('id', sa.Integer), sa.column('status', sa.String),
                     sa.column('assignees', sa.JSON), sa.column('assignee', sa.String),
                     sa.column('escalation_level', sa.Integer))
    bind = op.get_bind()
    for row in bind.execute(sa.select(tasks.c.id, tasks.c.assignees)).all():
        key = _first_assignee(row.assignees)
        if key is not None:
            bind.execute(sa.update(tasks).where(tasks.c.id == row.id).values(assignee=key))
    bind.execute(sa.update(tasks).where(tasks.c.status == 'escalated').values(escalation_level=1))


def downgrade() -> None:
    op.drop_index(op.f('ix_task_evidence_task_id'), table_name='task_evidence')
    op.drop_table('task_evidence')
    with op.batch_alter_table('rectification_tasks') as batch:
        batch.drop_column('recheck_requested_by')
        batch.drop_column('recheck_requested_at')
        batch.drop_column('escalation_level')
        batch.drop_column('assignee')
