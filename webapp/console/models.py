"""The console's own tables (staff accounts, audit log), in the knowledge database.

They live in their own `MetaData`, not in `knowledge.models.Base`: the knowledge base's
"outdated base" check (`knowledge.db.outdated_tables`) only compares the knowledge tables,
and `python -m knowledge init --reset` never drops staff accounts. `ensure_tables` creates
them (if missing) when the web app or the accounts command starts.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Column, DateTime, Index, Integer, MetaData, String
from sqlalchemy.engine import Engine
from sqlalchemy.orm import declarative_base

from knowledge.models import utcnow

ConsoleBase: Any = declarative_base(metadata=MetaData())

ROLES = {
    "editor": "Rédacteur (données)",
    "admin": "Administrateur (données et comptes)",
    "analyst": "Analyste (lecture, page Analyse)",
}


class StaffUser(ConsoleBase):
    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(80), nullable=False, unique=True)
    password_hash = Column(String(200), nullable=False)
    role = Column(String(20), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_login = Column(DateTime)


class StaffSessionVersion(ConsoleBase):
    """An account's sessions are valid while they carry its current version: logging out
    and a password change increase it, which revokes every cookie issued before (the
    cookie is encrypted but stateless: without this, a captured one stayed valid until it
    expired). A table of its own, so that `ensure_tables` adds it to existing bases."""

    __tablename__ = "staff_session_versions"

    user_id = Column(Integer, primary_key=True)
    version = Column(Integer, nullable=False, default=0)


class AuditEntry(ConsoleBase):
    """Who changed what, when, with the record before and after (JSON, None if absent)."""

    __tablename__ = "staff_audit_log"

    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(DateTime, nullable=False, default=utcnow)
    username = Column(String(80), nullable=False)
    action = Column(String(20), nullable=False)  # create, edit, unpublish, republish, import
    record_type = Column(String(20), nullable=False)  # poi, event, route, import, account
    record_id = Column(String(200), nullable=False)
    before = Column(JSON(none_as_null=True))
    after = Column(JSON(none_as_null=True))

    __table_args__ = (
        Index("ix_staff_audit_at", "at"),
        Index("ix_staff_audit_record", "record_type", "record_id"),
    )


def ensure_tables(engine: Engine) -> None:
    ConsoleBase.metadata.create_all(engine)
