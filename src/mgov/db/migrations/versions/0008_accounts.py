"""Accounts and the web: users, sessions, personal API tokens, login attempts, notification
targets and what was sent to them; the audit log learns each entry's organization (for
scoping it), and assessment results carry their tier, kind and number of failed vetoes as columns
(rankings per tier and kind, and the overview, read them by index).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 23:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str = 'CASCADE') -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'),
                                   ondelete=ondelete)


def _now() -> sa.Column:
    return sa.Column('created_at', sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=120), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('lang', sa.String(length=8), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    _now(),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    _fk('users', 'organization_id', 'organizations', 'SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username')))
    op.create_table('web_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('csrf', sa.String(length=64), nullable=False),
    _now(),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    _fk('web_sessions', 'user_id', 'users'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_web_sessions_token_hash')))
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    _now(),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    _fk('api_tokens', 'user_id', 'users'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash')))
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=120), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts')))
    op.create_index('ix_login_attempts_username_at', 'login_attempts', ['username', 'at'])
    op.create_index('ix_login_attempts_client_at', 'login_attempts', ['client', 'at'])
    op.create_table('notification_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=2000), nullable=False),
    sa.Column('secret', sa.String(length=200), nullable=True),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    _now(),
    _fk('notification_targets', 'organization_id', 'organizations'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_targets')))
    op.create_table('notifications_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    _fk('notifications_sent', 'target_id', 'notification_targets'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications_sent')))
    op.create_index('ix_notifications_sent_target_key', 'notifications_sent', ['target_id', 'key'])
    with op.batch_alter_table('audit_log') as batch:
        batch.add_column(sa.Column('organization_id', sa.Integer(), nullable=True))
        batch.create_index('ix_audit_log_organization_id', ['organization_id'])
    with op.batch_alter_table('assessment_results') as batch:
        batch.add_column(sa.Column('tier', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('kind', sa.String(length=30), nullable=True))
        batch.add_column(sa.Column('vetoes', sa.Integer(), nullable=True))
        batch.create_index('ix_assessment_results_ranking', ['assessment_id', 'tier', 'kind', 'rank'])
    results = sa.table('assessment_results', sa.column('id', sa.Integer), sa.column('result', sa.JSON),
                       sa.column('tier', sa.String), sa.column('kind', sa.String), sa.column('vetoes', sa.Integer))
    conn = op.get_bind()
    rows = conn.execute(sa.select(results.c.id, results.c.result)).all()
    for row in rows:
        result = row.result or {}
        conn.execute(sa.update(results).where(results.c.id == row.id)
                     .values(tier=result.get('tier'), kind=result.get('kind'),
                             vetoes=len(result.get('vetoes_failed') or [])))


def downgrade() -> None:
    with op.batch_alter_table('assessment_results') as batch:
        batch.drop_index('ix_assessment_results_ranking')
        batch.drop_column('vetoes')
        batch.drop_column('kind')
        batch.drop_column('tier')
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_index('ix_audit_log_organization_id')
        batch.drop_column('organization_id')
    for table in ('notifications_sent', 'notification_targets', 'login_attempts', 'api_tokens',
                  'web_sessions', 'users'):
        op.drop_table(table)
