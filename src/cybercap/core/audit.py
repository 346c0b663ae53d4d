"""The audit log: every write to a registered model is recorded, whoever makes it.

Signals catch writes from views, the admin, the API and commands alike. The acting user
and IP come from a context variable that the request middleware (and CLI commands) set.
Bulk seeding may turn recording off with :func:`suspended`.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

_REDACTED = "[redacted]"
_ALWAYS_EXCLUDED = {"password", "token_hash"}


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    label: str
    ip_address: str | None = None


_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("audit_actor", default=None)
_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_enabled", default=True)
_registry: dict[type[models.Model], set[str]] = {}


def register(*model_classes: type[models.Model], exclude: set[str] | None = None) -> None:
    for model in model_classes:
        _registry[model] = set(exclude or ())
        uid = f"audit-{model._meta.label}"
        pre_save.connect(_pre_save, sender=model, dispatch_uid=uid + "-pre")
        post_save.connect(_post_save, sender=model, dispatch_uid=uid + "-post")
        post_delete.connect(_post_delete, sender=model, dispatch_uid=uid + "-delete")


def registered_models() -> list[str]:
    return sorted(model._meta.label for model in _registry)


@contextlib.contextmanager
def acting_as(actor: Actor | None) -> Iterator[None]:
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    token = _enabled.set(False)
    try:
        yield
    finally:
        _enabled.reset(token)


def actor_for_user(user: Any, ip_address: str | None = None) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(user_id=None, label="anonymous", ip_address=ip_address)
    return Actor(user_id=user.pk, label=user.get_username(), ip_address=ip_address)


def set_actor(actor: Actor) -> None:
    """Name the actor for the rest of the current request (after token authentication).

    The request middleware's :func:`acting_as` block restores the previous actor when the
    request ends, so this never leaks into the next request.
    """
    _actor.set(actor)


def current_actor() -> Actor | None:
    return _actor.get()


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def snapshot(instance: models.Model) -> dict[str, Any]:
    excluded = _registry.get(type(instance), set())
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in excluded:
            continue
        value = getattr(instance, field.attname)
        values[field.attname] = _REDACTED if field.name in _ALWAYS_EXCLUDED else _jsonable(value)
    return values


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [before.get(key), after.get(key)]
        for key in after
        if before.get(key) != after.get(key)
        and not (key in _ALWAYS_EXCLUDED and before.get(key) is not None)
    }


def _pre_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if not _enabled.get() or kwargs.get("raw") or instance.pk is None:
        return
    if instance._state.adding:
        return
    previous = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(previous) if previous is not None else None  # type: ignore[attr-defined]


def _post_save(
    sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
) -> None:
    if not _enabled.get() or kwargs.get("raw"):
        return
    after = snapshot(instance)
    if created:
        changes = {key: [None, value] for key, value in after.items() if value not in (None, "")}
        _write("create", instance, changes)
        return
    before = getattr(instance, "_audit_before", None) or {}
    changes = _diff(before, after)
    if "password" in after and before.get("password") != after.get("password"):
        changes.pop("password", None)
    update_fields = kwargs.get("update_fields")
    if update_fields is not None:
        attnames = {
            getattr(sender._meta.get_field(name), "attname", name) for name in update_fields
        }
        changes = {key: value for key, value in changes.items() if key in attnames}
    if changes:
        _write("update", instance, changes)


def _post_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if not _enabled.get():
        return
    before = snapshot(instance)
    _write("delete", instance, {key: [value, None] for key, value in before.items()})


def _write(action: str, instance: models.Model, changes: dict[str, Any]) -> None:
    from cybercap.core.models import AuditEntry

    actor = _actor.get()
    AuditEntry.objects.create(
        actor_id=actor.user_id if actor else None,
        actor_label=(actor.label if actor else "system")[:150],
        action=action,
        model=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes,
        ip_address=actor.ip_address if actor else None,
    )


def record_event(action: str, *, user: Any, label: str = "", ip_address: str | None = None) -> None:
    """Record an event that is not a model write (log-in, log-out, failed log-in)."""
    from cybercap.core.models import AuditEntry

    user_id = getattr(user, "pk", None) if user is not None else None
    AuditEntry.objects.create(
        actor_id=user_id,
        actor_label=(label or (user.get_username() if user_id else "anonymous"))[:150],
        action=action,
        model="accounts.User",
        object_id=str(user_id or ""),
        object_repr=(label or str(user or ""))[:200],
        ip_address=ip_address,
    )
