"""Findings and probes partitioned by month on PostgreSQL (issue 20; mgov.db.partitions): each
table becomes a partitioned table of the same name, columns, indexes and foreign keys, split
by its time column (findings.observed_at, probes.at), with a partition for each month its rows
span and a default partition; the rows are copied over. The primary key becomes (id, time),
as PostgreSQL asks of a partitioned table; ids still come from the table's own sequence.
SQLite is left as it is.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 04:00:00
"""

from alembic import op


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

# table -> (time column, its indexes: name -> definition after ON table)
TABLES = {
    'findings': ('observed_at', {
        'ix_findings_run_channel': '(run_id, channel_id)',
        'ix_findings_channel_check': '(channel_id, check_id)',
        'ix_findings_unrolled': '(id) WHERE NOT rolled',
    }),
    'probes': ('at', {
        'ix_probes_channel_at': '(channel_id, at)',
        'ix_probes_unrolled': '(id) WHERE NOT rolled',
    }),
}
FOREIGN_KEYS = {
    'findings': [('fk_findings_run_id_scan_runs', 'run_id', 'scan_runs'),
                 ('fk_findings_channel_id_channels', 'channel_id', 'channels')],
    'probes': [('fk_probes_channel_id_channels', 'channel_id', 'channels')],
}


def _rebuild(table: str, partitioned: bool) -> None:
    column, indexes = TABLES[table]
    old = f'{table}_before_0028'
    op.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
    op.execute(f'ALTER INDEX "pk_{table}" RENAME TO "pk_{old}"')
    for name in indexes:
        op.execute(f'ALTER INDEX "{name}" RENAME TO "{name}_before_0028"')
    split = f' PARTITION BY RANGE ({column})' if partitioned else ''
    op.execute(f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS){split}')
    op.execute(f'ALTER SEQUENCE "{table}_id_seq" OWNED BY "{table}".id')
    key = f'(id, {column})' if partitioned else '(id)'
    op.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "pk_{table}" PRIMARY KEY {key}')
    for name, col, target in FOREIGN_KEYS[table]:
        op.execute(f'ALTER TABLE "{old}" DROP CONSTRAINT "{name}"')
        op.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" FOREIGN KEY ({col}) '
                   f'REFERENCES "{target}" (id) ON DELETE CASCADE')
    for name, definition in indexes.items():
        cols, _, where = definition.partition(' WHERE ')
        op.execute(f'CREATE INDEX "{name}" ON "{table}" {cols}' + (f' WHERE {where}' if where else ''))
    if partitioned:
        op.execute(f'CREATE TABLE "{table}_default" PARTITION OF "{table}" DEFAULT')
        # A partition for each month the rows span (UTC), made before the rows are copied in.
        op.execute(f"""
DO $$
DECLARE m date;
BEGIN
  FOR m IN SELECT DISTINCT date_trunc('month', {column} AT TIME ZONE 'UTC')::date FROM "{old}"
           WHERE {column} IS NOT NULL LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                   '{table}_' || to_char(m, 'YYYY_MM'), '{table}',
                   m::text || ' 00:00:00+00', (m + interval '1 month')::date::text || ' 00:00:00+00');
  END LOOP;
END $$""")
    op.execute(f'INSERT INTO "{table}" SELECT * FROM "{old}"')
    op.execute(f'DROP TABLE "{old}"')
    op.execute(f'ANALYZE "{table}"')


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TABLES:
        _rebuild(table, partitioned=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TABLES:
        _rebuild(table, partitioned=False)
