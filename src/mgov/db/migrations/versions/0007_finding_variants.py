"""Finding variants: a check judged with a guideline profile's own parameters (e.g. one of
us-federal's required links) stores its finding under a key of those parameters.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 21:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('findings') as batch:
        batch.add_column(sa.Column('variant', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('findings') as batch:
        batch.drop_column('variant')
