"""Site crawl: run kinds, crawled pages, the link graph, link outcomes, content history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 18:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'),
                                   ondelete='CASCADE')


def upgrade() -> None:
    with op.batch_alter_table('scan_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='scan', nullable=False))

    op.create_table('crawl_pages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('content_type', sa.String(length=200), nullable=True),
    sa.Column('ref', sa.JSON(), nullable=True),
    _fk('crawl_pages', 'run_id', 'scan_runs'), _fk('crawl_pages', 'channel_id', 'channels'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crawl_pages'))
    )
    op.create_index('ix_crawl_pages_run_channel', 'crawl_pages', ['run_id', 'channel_id'])
    op.create_table('crawl_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('source_url', sa.Text(), nullable=False),
    sa.Column('target_url', sa.Text(), nullable=False),
    sa.Column('anchor', sa.Text(), nullable=True),
    sa.Column('tag', sa.String(length=20), nullable=False),
    sa.Column('from_home', sa.Boolean(), nullable=False),
    _fk('crawl_links', 'run_id', 'scan_runs'), _fk('crawl_links', 'channel_id', 'channels'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crawl_links'))
    )
    op.create_index('ix_crawl_links_run_target', 'crawl_links', ['run_id', 'target_url'])
    op.create_index('ix_crawl_links_run_channel_target', 'crawl_links', ['run_id', 'channel_id', 'target_url'])
    op.create_table('link_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('final_url', sa.Text(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('ref', sa.JSON(), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    _fk('link_outcomes', 'run_id', 'scan_runs'), _fk('link_outcomes', 'channel_id', 'channels'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_outcomes'))
    )
    op.create_index('ix_link_outcomes_run_url', 'link_outcomes', ['run_id', 'url'])
    op.create_table('content_history',
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('crawled_on', sa.Date(), nullable=False),
    sa.Column('history', sa.JSON(), nullable=False),
    _fk('content_history', 'run_id', 'scan_runs'), _fk('content_history', 'channel_id', 'channels'),
    sa.PrimaryKeyConstraint('channel_id', name=op.f('pk_content_history'))
    )


def downgrade() -> None:
    op.drop_table('content_history')
    op.drop_index('ix_link_outcomes_run_url', 'link_outcomes')
    op.drop_table('link_outcomes')
    op.drop_index('ix_crawl_links_run_channel_target', 'crawl_links')
    op.drop_index('ix_crawl_links_run_target', 'crawl_links')
    op.drop_table('crawl_links')
    op.drop_index('ix_crawl_pages_run_channel', 'crawl_pages')
    op.drop_table('crawl_pages')
    with op.batch_alter_table('scan_runs', schema=None) as batch_op:
        batch_op.drop_column('kind')
