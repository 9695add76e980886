"""The declarative base every table module shares: one metadata, one naming convention, one
clock for default times."""

from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import DateTime, MetaData, Table, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from mgov import clock

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def now() -> dt.datetime:
    return clock.now()


class Timestamps:
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=now, server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=now, onupdate=now, server_default=func.now()
    )


def table_of(model: type[Base]) -> Table:
    return cast(Table, model.__table__)
