"""Who is asking: an agency's token holder with a role, and what each role may do.

Roles gate actions, never data: what an agency's callers see is decided by jurisdiction and agreements
(:mod:`lianfang.share.grants`), the same for a viewer and an admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lianfang.errors import ForbiddenError

__all__ = ["ROLE_PERMISSIONS", "Caller", "Permission", "Role", "authorize"]


class Role(StrEnum):
    VIEWER = "viewer"
    ANALYST = "analyst"
    DUTY = "duty"  # duty officer: watches and handles alerts
    ADMIN = "admin"


class Permission(StrEnum):
    READ = "read"  # stations, latest values, observations, assessments
    EXPORT = "export"  # bulk CSV / Parquet downloads
    MANAGE_AGREEMENTS = "manage_agreements"  # grant and revoke access to the own agency's data
    READ_AUDIT = "read_audit"  # how the own agency's data was used, and what it read
    MANAGE_TOKENS = "manage_tokens"  # issue and revoke the own agency's API tokens


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.ANALYST: frozenset({Permission.READ, Permission.EXPORT}),
    Role.DUTY: frozenset({Permission.READ, Permission.EXPORT}),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated caller. ``agency`` is a jurisdiction code; ``token_id`` the public token id."""

    agency: str
    role: Role
    token_id: str
    name: str

    def may(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]


def authorize(caller: Caller, permission: Permission) -> None:
    """Raise :class:`ForbiddenError` (403) unless the caller's role has ``permission``."""
    if not caller.may(permission):
        raise ForbiddenError(f"role {caller.role} may not {permission.replace('_', ' ')}")
