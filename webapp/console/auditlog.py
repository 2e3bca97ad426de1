"""The audit log: written in the caller's transaction, read with filters."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.console.models import AuditEntry

PAGE_SIZE = 50
ACTIONS = {"create": "création", "edit": "modification", "unpublish": "dépublication",
           "republish": "republication", "import": "import", "account": "compte"}


def _jsonable(value: Any) -> Any:
    """Dates as ISO text, so the before/after snapshots fit a JSON column."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=_default))


def _default(value: Any) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(type(value))


def record(session: Session, username: str, action: str, record_type: str, record_id: str,
           before: Any = None, after: Any = None) -> None:
    session.add(AuditEntry(username=username, action=action, record_type=record_type,
                           record_id=record_id, before=_jsonable(before),
                           after=_jsonable(after)))


def entries(session: Session, *, username: str = "", record_type: str = "",
            record_id: str = "", action: str = "", page: int = 1,
            ) -> tuple[list[AuditEntry], int]:
    """One page of entries, newest first, and the total count."""
    stmt = select(AuditEntry)
    if username:
        stmt = stmt.where(AuditEntry.username == username)
    if record_type:
        stmt = stmt.where(AuditEntry.record_type == record_type)
    if record_id:
        stmt = stmt.where(AuditEntry.record_id == record_id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).scalars()
    return list(rows), int(total)
