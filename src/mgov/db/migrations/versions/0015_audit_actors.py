"""One audit log: each entry says through which face (web, api, cli) its actor acted, and an
import's per-record entries point at the import's one entry (parent_id).

Entries stored before have no face (shown as unknown) and no parent.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-06 14:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_log') as batch:
        batch.add_column(sa.Column('face', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch.create_index('ix_audit_log_parent_id', ['parent_id'])


def downgrade() -> None:
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_index('ix_audit_log_parent_id')
        batch.drop_column('parent_id')
        batch.drop_column('face')
