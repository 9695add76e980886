"""The scheduler (issue 20): the schedule entries of mgov.toml and of guideline profiles run on
time as jobs, one scheduler active at a time, missed runs caught up once."""
