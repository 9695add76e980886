"""Incomplete results: an assessment result whose monitored indicators are largely not assessed
is marked incomplete (no score, no rank; listed after the ranked results). Results stored before
count as complete, except those with nothing assessed (verdict not_assessed): they always were.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assessment_results') as batch:
        batch.add_column(sa.Column('complete', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch.add_column(sa.Column('not_assessed_share', sa.Double(), nullable=True))
    results = sa.table('assessment_results', sa.column('verdict', sa.String), sa.column('complete', sa.Boolean))
    op.get_bind().execute(sa.update(results).where(results.c.verdict == 'not_assessed').values(complete=False))


def downgrade() -> None:
    with op.batch_alter_table('assessment_results') as batch:
        batch.drop_column('not_assessed_share')
        batch.drop_column('complete')
