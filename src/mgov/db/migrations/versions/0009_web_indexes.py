"""An index the dashboard's questions need at 20,000 channels: a channel's results across
assessments (its page; which assessments cover a user's channels).

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


def downgrade() -> None:
    op.drop_index('ix_assessment_results_channel_assessment', 'assessment_results')
