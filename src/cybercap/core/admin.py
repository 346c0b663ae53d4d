"""Django admin: the audit log, read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cybercap.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "model", "object_id", "object_repr")
    list_filter = ("action", "model")
    search_fields = ("actor_label", "object_id", "object_repr")
    date_hierarchy = "at"
    list_select_related = ("actor",)
    fields = (
        "at",
        "actor",
        "actor_label",
        "action",
        "model",
        "object_id",
        "object_repr",
        "changes",
        "ip_address",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
