"""Ranks and re-runs: a result's shown rank (competition ranking, ties share it: 1, 1, 3) beside
its listing position; an assessment's version, and the newer version that superseded it.

Results stored before get their rank recomputed with ties shared; assessments stored before
are numbered as versions of their (profile, period, selection), the newest of each current.

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-06 14:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def _places(conn: sa.Connection) -> None:
    results = sa.table('assessment_results', sa.column('id', sa.Integer), sa.column('assessment_id', sa.Integer),
                       sa.column('tier', sa.String), sa.column('kind', sa.String), sa.column('rank', sa.Integer),
                       sa.column('score', sa.Double), sa.column('complete', sa.Boolean),
                       sa.column('verdict', sa.String), sa.column('place', sa.Integer))
    rows = conn.execute(sa.select(results.c.id, results.c.assessment_id, results.c.tier, results.c.kind,
                                  results.c.score).where(results.c.complete.is_(True),
                                                         results.c.verdict != 'not_assessed',
                                                         results.c.rank.is_not(None))
                        .order_by(results.c.assessment_id, results.c.tier, results.c.kind, results.c.rank)).all()
    updates, group, before, place = [], None, None, 0
    for n, r in enumerate(rows):
        key = (r.assessment_id, r.tier, r.kind)
        if key != group:
            group, before, first = key, None, n
        standing = (0, -r.score) if r.score is not None else (1, 0.0)
        if standing != before:
            place, before = n - first + 1, standing
        updates.append({'rid': r.id, 'p': place})
    statement = sa.update(results).where(results.c.id == sa.bindparam('rid')).values(place=sa.bindparam('p'))
    for i in range(0, len(updates), 1000):
        conn.execute(statement, updates[i:i + 1000])


def _versions(conn: sa.Connection) -> None:
    heads = sa.table('assessments', sa.column('id', sa.Integer), sa.column('profile_id', sa.String),
                     sa.column('start', sa.Date), sa.column('end', sa.Date), sa.column('params', sa.JSON),
                     sa.column('version', sa.Integer), sa.column('superseded_by', sa.Integer))
    series: dict[tuple[object, ...], list[int]] = {}
    for r in conn.execute(sa.select(heads.c.id, heads.c.profile_id, heads.c.start, heads.c.end, heads.c.params)
                          .order_by(heads.c.id)):
        series.setdefault((r.profile_id, r.start, r.end, (r.params or {}).get('org')), []).append(r.id)
    for ids in series.values():
        for n, aid in enumerate(ids):
            newer = ids[n + 1] if n < len(ids) - 1 else None
            conn.execute(sa.update(heads).where(heads.c.id == aid).values(version=n + 1, superseded_by=newer))


def upgrade() -> None:
    with op.batch_alter_table('assessments') as batch:
        batch.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch.add_column(sa.Column('superseded_by', sa.Integer(), nullable=True))
    with op.batch_alter_table('assessment_results') as batch:
        batch.add_column(sa.Column('place', sa.Integer(), nullable=True))
    conn = op.get_bind()
    _places(conn)
    _versions(conn)


def downgrade() -> None:
    with op.batch_alter_table('assessment_results') as batch:
        batch.drop_column('place')
    with op.batch_alter_table('assessments') as batch:
        batch.drop_column('superseded_by')
        batch.drop_column('version')
