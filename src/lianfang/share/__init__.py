"""Who may see what: agencies' tokens, sharing agreements, the access policy and the audit.

The policy is enforced in one place, :class:`SharedReader`; see ``docs/dev/share-contract.md``.
"""

from lianfang.share.caller import ROLE_PERMISSIONS, Caller, Permission, Role, authorize
from lianfang.share.reader import SeriesKey, SharedReader, SharedStore

__all__ = [
    "ROLE_PERMISSIONS",
    "Caller",
    "Permission",
    "Role",
    "SeriesKey",
    "SharedReader",
    "SharedStore",
    "authorize",
]
