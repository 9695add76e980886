"""Indexes the dashboard's questions need at 20,000 channels: a channel's results across
assessments (its page; which assessments cover a user's channels), and the overdue tasks of
one status in (due date, id) order, the overview's order, to the last column (PostgreSQL has
no rowid to finish the order with, and sorted a whole due date's tasks to find six).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 00:45:00
"""

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_assessment_results_channel_assessment', 'assessment_results', ['channel_id', 'assessment_id'])
    op.create_index('ix_rectification_tasks_status_due_id', 'rectification_tasks', ['status', 'due_on', 'id'])
    op.drop_index('ix_rectification_tasks_status_due', 'rectification_tasks')  # a prefix of the new one


def downgrade() -> None:
    op.create_index('ix_rectification_tasks_status_due', 'rectification_tasks', ['status', 'due_on'])
    op.drop_index('ix_rectification_tasks_status_due_id', 'rectification_tasks')
    op.drop_index('ix_assessment_results_channel_assessment', 'assessment_results')
