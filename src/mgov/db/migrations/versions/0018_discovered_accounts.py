"""Discovered accounts: what a platform's search returned that claims a registered unit's name
but is not registered (mgov discover), with its evidence and a reviewer's decision.

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-10 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('discovered_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('address', sa.String(length=2000), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('certification', sa.String(length=500), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('matched', sa.String(length=500), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('confirmed_as', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                            name=op.f('fk_discovered_accounts_organization_id_organizations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discovered_accounts')),
    sa.UniqueConstraint('kind', 'address', name='uq_discovered_accounts_kind_address')
    )
    op.create_index(op.f('ix_discovered_accounts_organization_id'), 'discovered_accounts', ['organization_id'])
    op.create_index('ix_discovered_accounts_state_id', 'discovered_accounts', ['state', 'id'])


def downgrade() -> None:
    op.drop_index('ix_discovered_accounts_state_id', table_name='discovered_accounts')
    op.drop_index(op.f('ix_discovered_accounts_organization_id'), table_name='discovered_accounts')
    op.drop_table('discovered_accounts')
