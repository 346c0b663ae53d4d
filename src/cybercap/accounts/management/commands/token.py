"""`cybercap token create|list|revoke`: personal API tokens, for the server operator."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cybercap.accounts import tokens
from cybercap.core import audit


def _when(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z") if moment else "-"


class Command(BaseCommand):
    help = "Create, list and revoke personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it, once")
        create.add_argument("username")
        create.add_argument("--name", default="Command line", help="a label for the token")
        create.add_argument(
            "--days",
            type=int,
            default=None,
            help="days until it expires (default: CYBERCAP_API_TOKEN_DAYS)",
        )
        listing = sub.add_parser("list", help="list a user's tokens")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        with audit.acting_as(audit.Actor(user_id=None, label="cli")):
            if action == "create":
                self._create(options["username"], options["name"], options["days"])
            elif action == "list":
                self._list(options["username"])
            else:
                self._revoke(options["prefix"])

    @staticmethod
    def _user(username: str, *, active: bool) -> Any:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        if active and (not user.is_active or user.deactivated_at is not None):
            raise CommandError(f"The account {username!r} is deactivated.")
        return user

    def _create(self, username: str, name: str, days: int | None) -> None:
        user = self._user(username, active=True)
        try:
            token, raw = tokens.token_create(user=user, name=name, expires_in_days=days)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(raw)
        self.stdout.write(
            f"Token {token.prefix} for {user.username} expires {_when(token.expires_at)}. "
            "It is shown only now: store it safely."
        )

    def _list(self, username: str) -> None:
        user = self._user(username, active=False)
        rows = list(tokens.tokens_for_user(user=user))
        if not rows:
            self.stdout.write(f"{username} has no API tokens.")
            return
        self.stdout.write(f"{'PREFIX':<10} {'STATUS':<8} {'EXPIRES':<22} {'LAST USED':<22} NAME")
        now = timezone.now()
        for token in rows:
            status = (
                "revoked" if token.revoked_at else ("active" if token.is_usable(now) else "expired")
            )
            self.stdout.write(
                f"{token.prefix:<10} {status:<8} {_when(token.expires_at):<22} "
                f"{_when(token.last_used_at):<22} {token.name}"
            )

    def _revoke(self, prefix: str) -> None:
        token = tokens.token_get_by_prefix(prefix=prefix)
        if token is None:
            raise CommandError(f"No token has the prefix {prefix!r}.")
        already = token.revoked_at is not None
        tokens.token_revoke(token=token, by=None)
        if already:
            self.stdout.write(f"Token {token.prefix} was already revoked.")
        else:
            self.stdout.write(f"Token {token.prefix} of {token.user.username} is revoked.")
