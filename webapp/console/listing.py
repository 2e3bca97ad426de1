"""Lists of the console: search by name, filters and pagination (parameterised queries)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from knowledge.models import Event, Poi, Route, interest_mask
from knowledge.queries import find_records_by_name
from knowledge.store import MODELS
from knowledge.taxonomy import INTERESTS, KINDS, ROUTE_MODES
from knowledge.text import normalize

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    q: str = ""
    type: str = ""  # kind of place, or route mode
    commune_insee: str = ""
    interest: str = ""
    published: str = ""  # "", "oui", "non"
    example: str = ""  # "", "oui", "non"
    page: int = 1


@dataclass(frozen=True)
class ListPage:
    rows: list[Any]
    total: int
    page: int
    pages: int


def _flag(value: str) -> bool | None:
    return {"oui": True, "non": False}.get(value)


def list_records(session: Session, kind: str, f: Filters) -> ListPage:
    """One page of records, by name: the words typed as they are (every word in the
    name), or close to it despite typos ("forum antik": the Forum antique, as the CLI's
    ``search`` and the bot find it — ``knowledge.queries.find_records_by_name``)."""
    model = MODELS[kind]
    name_col = model.title_norm if model is Event else model.name_norm
    stmt = select(model)
    tokens = normalize(f.q).split()
    if tokens:
        exact = and_(*[name_col.like(f"%{tok}%") for tok in tokens])
        close = find_records_by_name(session, model, f.q, limit=PAGE_SIZE)
        stmt = stmt.where(or_(exact, model.id.in_(close)) if close else exact)
    if f.type and model is Poi and f.type in KINDS:
        stmt = stmt.where(cast(Poi.kinds, String).like(f'%"{f.type}"%'))
    if f.type and model is Route and f.type in ROUTE_MODES:
        stmt = stmt.where(Route.mode == f.type)
    if f.interest in INTERESTS and model is not Route:
        stmt = stmt.where(model.interest_mask.op("&")(interest_mask([f.interest])) != 0)
    if f.commune_insee:
        col = model.start_commune_insee if model is Route else model.commune_insee
        stmt = stmt.where(col == f.commune_insee)
    if (published := _flag(f.published)) is not None:
        stmt = stmt.where(model.published.is_(published))
    if (example := _flag(f.example)) is not None:
        stmt = stmt.where(model.is_example.is_(example))
    total = int(session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, f.page), pages)
    rows = session.execute(stmt.order_by(name_col, model.id)
                           .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).scalars()
    return ListPage(list(rows), total, page, pages)
