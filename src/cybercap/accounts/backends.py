"""Permissions follow roles: holders of the `staff` role have every model permission.

The role assignment is the one source of truth; Django's per-user permission tables and
`is_superuser` are not used for programme staff.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from cybercap.accounts import access


class RolePermissionBackend(BaseBackend):
    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return bool(user_obj.is_active and access.is_staff(user_obj))

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return bool(user_obj.is_active and access.is_staff(user_obj))
