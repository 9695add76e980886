"""New-media captures: account profile versions, posts, every version of each post, and the
edits, deletions and restorations found between captures.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str = 'CASCADE') -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'),
                                   ondelete=ondelete)


def upgrade() -> None:
    op.create_table('account_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('platform', sa.String(length=60), nullable=False),
    sa.Column('digest', sa.String(length=80), nullable=False),
    sa.Column('profile', sa.JSON(), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('warc', sa.JSON(), nullable=False),
    _fk('account_profiles', 'channel_id', 'channels'), _fk('account_profiles', 'run_id', 'scan_runs', 'SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_profiles'))
    )
    op.create_index('ix_account_profiles_channel', 'account_profiles', ['channel_id', 'id'])
    op.create_table('posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.String(length=300), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('published', sa.DateTime(timezone=True), nullable=True),
    sa.Column('digest', sa.String(length=80), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    _fk('posts', 'channel_id', 'channels'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posts')),
    sa.UniqueConstraint('channel_id', 'post_id', name='uq_posts_channel_post')
    )
    op.create_table('post_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_row_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('digest', sa.String(length=80), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('media', sa.JSON(), nullable=False),
    sa.Column('published', sa.DateTime(timezone=True), nullable=True),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('warc', sa.JSON(), nullable=True),
    _fk('post_versions', 'post_row_id', 'posts'), _fk('post_versions', 'run_id', 'scan_runs', 'SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_versions'))
    )
    op.create_index('ix_post_versions_post', 'post_versions', ['post_row_id', 'id'])
    op.create_table('post_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_row_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('before_digest', sa.String(length=80), nullable=True),
    sa.Column('after_digest', sa.String(length=80), nullable=True),
    _fk('post_changes', 'post_row_id', 'posts'), _fk('post_changes', 'channel_id', 'channels'),
    _fk('post_changes', 'run_id', 'scan_runs', 'SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_changes'))
    )
    op.create_index('ix_post_changes_channel', 'post_changes', ['channel_id', 'seen_at'])
    op.create_index('ix_post_changes_post', 'post_changes', ['post_row_id'])


def downgrade() -> None:
    op.drop_table('post_changes')
    op.drop_table('post_versions')
    op.drop_table('posts')
    op.drop_table('account_profiles')
