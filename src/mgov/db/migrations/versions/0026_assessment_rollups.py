"""Assessment rollups (issue 20): finding_days (each channel, check, variant and UTC day's
last finding) and probe_days (probes and failures per channel and UTC day), and a `rolled`
flag on findings and probes. Existing rows start unrolled: the first assessment after the
upgrade folds them in (db.rollups.catch_up), so the upgrade itself stays quick.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 21:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('finding_days',
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.String(length=80), nullable=False),
    sa.Column('variant', sa.String(length=16), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('observed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_finding_days_channel_id_channels'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('channel_id', 'check_id', 'variant', 'day', name=op.f('pk_finding_days'))
    )
    op.create_table('probe_days',
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('probes', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_probe_days_channel_id_channels'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('channel_id', 'day', name=op.f('pk_probe_days'))
    )
    for table in ('findings', 'probes'):
        op.add_column(table, sa.Column('rolled', sa.Boolean(), server_default=sa.false(), nullable=False))
        op.create_index(f'ix_{table}_unrolled', table, ['id'], unique=False,
                        sqlite_where=sa.text('rolled = 0'), postgresql_where=sa.text('NOT rolled'))


def downgrade() -> None:
    for table in ('probes', 'findings'):
        op.drop_index(f'ix_{table}_unrolled', table_name=table)
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('rolled')
    op.drop_table('probe_days')
    op.drop_table('finding_days')
