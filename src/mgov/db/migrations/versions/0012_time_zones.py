"""Time zones: one per user and per organization (None: the organization's, then the
jurisdiction's default, mgov.zones).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organizations') as batch:
        batch.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('time_zone')
    with op.batch_alter_table('organizations') as batch:
        batch.drop_column('time_zone')
