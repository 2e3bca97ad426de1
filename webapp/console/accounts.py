"""Staff accounts: argon2 password hashes, roles, enabling and disabling.

Functions take a SQLAlchemy session; the caller's transaction commits.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import utcnow
from webapp.console.models import ROLES, StaffSessionVersion, StaffUser

HASHER = PasswordHasher()
MIN_PASSWORD = 10
_USERNAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.@-]{1,79}$")
# Verified when the account does not exist, so that timing does not reveal usernames.
_DUMMY_HASH = HASHER.hash("compte-inexistant-mot-de-passe")


class AccountError(ValueError):
    """A refused account operation, with a French message."""


@dataclass(frozen=True)
class User:
    """What a request knows of the logged-in staff member."""

    id: int
    username: str
    role: str
    session_version: int = 0  # sessions carrying another version are revoked


def session_version(session: Session, user_id: int) -> int:
    row = session.get(StaffSessionVersion, user_id)
    return row.version if row is not None else 0


def revoke_sessions(session: Session, user_id: int) -> None:
    """Every session of the account issued so far stops being valid."""
    row = session.get(StaffSessionVersion, user_id)
    if row is None:
        session.add(StaffSessionVersion(user_id=user_id, version=1))
    else:
        row.version += 1


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Le mot de passe doit faire au moins {MIN_PASSWORD} caractères.")


def _get(session: Session, username: str) -> StaffUser:
    row = session.execute(
        select(StaffUser).where(StaffUser.username == username)).scalar_one_or_none()
    if row is None:
        raise AccountError(f"Aucun compte « {username} ».")
    return row


def add_user(session: Session, username: str, password: str, role: str) -> StaffUser:
    if not _USERNAME.match(username):
        raise AccountError("Nom de compte invalide (2 à 80 lettres, chiffres, . _ @ -).")
    if role not in ROLES:
        raise AccountError(f"Rôle inconnu : « {role} » (possibles : {', '.join(ROLES)}).")
    _check_password(password)
    exists = session.execute(
        select(StaffUser.id).where(StaffUser.username == username)).first()
    if exists:
        raise AccountError(f"Le compte « {username} » existe déjà.")
    user = StaffUser(username=username, password_hash=HASHER.hash(password), role=role,
                     active=True)
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, username: str, password: str) -> None:
    _check_password(password)
    row = _get(session, username)
    row.password_hash = HASHER.hash(password)
    revoke_sessions(session, row.id)


def set_active(session: Session, username: str, active: bool) -> None:
    _get(session, username).active = active


def list_users(session: Session) -> list[StaffUser]:
    return list(session.execute(select(StaffUser).order_by(StaffUser.username)).scalars())


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user if the password matches an active account; rehashes outdated hashes."""
    row = session.execute(
        select(StaffUser).where(StaffUser.username == username)).scalar_one_or_none()
    if row is None or not row.active:
        with contextlib.suppress(VerificationError):
            HASHER.verify(_DUMMY_HASH, password)
        return None
    try:
        HASHER.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if HASHER.check_needs_rehash(row.password_hash):
        row.password_hash = HASHER.hash(password)
    row.last_login = utcnow()
    return User(row.id, row.username, row.role, session_version(session, row.id))


def active_user(session: Session, user_id: int) -> User | None:
    """The account behind a session, if it still exists and is enabled."""
    row = session.get(StaffUser, user_id)
    if row is None or not row.active:
        return None
    return User(row.id, row.username, row.role, session_version(session, row.id))
