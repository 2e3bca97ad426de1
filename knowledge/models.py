"""SQLAlchemy models of the knowledge base (SQLAlchemy 1.4, 2.0 style).

JSON columns hold lists of taxonomy keys (see `taxonomy.py`) and structured data such as
opening hours (see `hours.py`). `interest_mask` mirrors `interests` as bits so that the
spatial query can filter by interest inside the index, and `cell` is the grid square of
the coordinates (see `geo.py`), `in_territory` says whether a POI's commune is one of the
52 of the territory. They are kept in sync by `store.py`; never set them by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

from knowledge.config import TIMEZONE
from knowledge.taxonomy import INTERESTS

Base: Any = declarative_base()

INTEREST_BITS: dict[str, int] = {key: 1 << i for i, key in enumerate(INTERESTS)}


def interest_mask(interests: Iterable[str] | None) -> int:
    mask = 0
    for key in interests or ():
        mask |= INTEREST_BITS.get(key, 0)
    return mask


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Commune(Base):
    __tablename__ = "communes"

    insee = Column(String(5), primary_key=True)
    name = Column(String(120), nullable=False)
    name_norm = Column(String(120), nullable=False, index=True)
    department = Column(String(3))
    postcodes = Column(String(60))
    population = Column(Integer)
    latitude = Column(Float)
    longitude = Column(Float)
    epci_siren = Column(String(9))
    epci_name = Column(String(200))
    in_territory = Column(Boolean, nullable=False, default=False)


class _Record:
    """Columns shared by POIs, events and routes: provenance and publication."""

    source = Column(String(200), nullable=False)
    source_id = Column(String(200))
    licence = Column(String(200))
    last_update = Column(DateTime)
    is_example = Column(Boolean, nullable=False, default=False)
    published = Column(Boolean, nullable=False, default=True)
    notes = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class Poi(_Record, Base):
    __tablename__ = "pois"

    id = Column(String(120), primary_key=True)
    name = Column(String(300), nullable=False)
    name_norm = Column(String(300), nullable=False)
    kind = Column(String(40), nullable=False)
    kinds = Column(JSON, nullable=False, default=list)
    interests = Column(JSON, nullable=False, default=list)
    interest_mask = Column(Integer, nullable=False, default=0)
    audiences = Column(JSON, nullable=False, default=list)
    commune_insee = Column(String(5), ForeignKey("communes.insee"))
    latitude = Column(Float, nullable=False)
    longitude = Column(Float, nullable=False)
    cell = Column(Integer, nullable=False)
    coord_precision = Column(String(20), nullable=False, default="exact")
    # In one of the 52 communes of the territory (from the commune; set by store.py):
    # places elsewhere rank after local ones and are said to be outside.
    in_territory = Column(Boolean, nullable=False, default=False)
    address = Column(String(300))
    short_description = Column(String(300))
    description = Column(Text)
    phone = Column(String(40))
    email = Column(String(200))
    website = Column(String(500))
    image = Column(String(500))
    opening_hours = Column(JSON(none_as_null=True))
    has_hours = Column(Boolean, nullable=False, default=False)  # opening_hours is set
    prices = Column(JSON(none_as_null=True))
    wheelchair = Column(Boolean)
    pushchair = Column(Boolean)
    accessibility_labels = Column(JSON, nullable=False, default=list)
    pets_allowed = Column(Boolean)

    commune = relationship(Commune, lazy="joined")

    __table_args__ = (
        # Covering index of the nearby query: cells, then everything it filters and reads,
        # so that SQLite answers from the index without visiting the table.
        Index("ix_pois_spatial", "cell", "published", "interest_mask", "latitude", "longitude",
              "has_hours", "in_territory", "id"),
        Index("ix_pois_name_norm", "name_norm"),
        UniqueConstraint("source", "source_id", name="uq_pois_source"),
    )


class Event(_Record, Base):
    __tablename__ = "events"

    id = Column(String(120), primary_key=True)
    title = Column(String(300), nullable=False)
    title_norm = Column(String(300), nullable=False)
    description = Column(Text)
    commune_insee = Column(String(5), ForeignKey("communes.insee"))
    venue_poi_id = Column(String(120), ForeignKey("pois.id", ondelete="SET NULL"))
    venue_name = Column(String(300))
    latitude = Column(Float, nullable=False)
    longitude = Column(Float, nullable=False)
    cell = Column(Integer, nullable=False)
    coord_precision = Column(String(20), nullable=False, default="commune")
    interests = Column(JSON, nullable=False, default=list)
    interest_mask = Column(Integer, nullable=False, default=0)
    audiences = Column(JSON, nullable=False, default=list)
    price = Column(JSON(none_as_null=True))
    booking_url = Column(String(500))
    url = Column(String(500))
    image = Column(String(500))
    wheelchair = Column(Boolean)
    pushchair = Column(Boolean)
    accessibility_labels = Column(JSON, nullable=False, default=list)
    timezone = Column(String(40), nullable=False, default=TIMEZONE)

    commune = relationship(Commune, lazy="joined")
    venue = relationship(Poi, lazy="joined")
    timings = relationship(
        "EventTiming",
        back_populates="event",
        cascade="all, delete-orphan",
        order_by="EventTiming.start",
        lazy="selectin",
    )

    __table_args__ = (
        Index("ix_events_spatial", "cell", "published"),
        UniqueConstraint("source", "source_id", name="uq_events_source"),
    )


class EventTiming(Base):
    """One occurrence of an event. Instants are stored in UTC (naive), shown in `timezone`."""

    __tablename__ = "event_timings"

    id = Column(Integer, primary_key=True, autoincrement=True)
    event_id = Column(String(120), ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    start = Column(DateTime, nullable=False)
    end = Column(DateTime, nullable=False)

    event = relationship(Event, back_populates="timings")

    __table_args__ = (
        Index("ix_event_timings_start", "start"),
        Index("ix_event_timings_end", "end"),
        Index("ix_event_timings_event", "event_id"),
    )


class Route(_Record, Base):
    __tablename__ = "routes"

    id = Column(String(120), primary_key=True)
    name = Column(String(300), nullable=False)
    name_norm = Column(String(300), nullable=False)
    mode = Column(String(20), nullable=False)
    length_km = Column(Float)
    duration_min = Column(Integer)
    difficulty = Column(String(20))
    elevation_gain_m = Column(Integer)
    start_latitude = Column(Float, nullable=False)
    start_longitude = Column(Float, nullable=False)
    cell = Column(Integer, nullable=False)
    coord_precision = Column(String(20), nullable=False, default="commune")
    start_commune_insee = Column(String(5), ForeignKey("communes.insee"))
    is_loop = Column(Boolean)
    description = Column(Text)
    gpx = Column(Text)
    url = Column(String(500))

    commune = relationship(Commune, lazy="joined")

    __table_args__ = (
        Index("ix_routes_spatial", "cell", "published", "mode"),
        UniqueConstraint("source", "source_id", name="uq_routes_source"),
    )
