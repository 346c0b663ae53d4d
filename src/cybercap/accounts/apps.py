from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cybercap.accounts"
    label = "accounts"
    verbose_name = "Accounts and access"

    def ready(self) -> None:
        from cybercap.accounts import models, signals  # noqa: F401 - connects the login signals
        from cybercap.core import audit

        audit.register(
            models.User,
            models.RoleAssignment,
            models.ApiToken,
            exclude={"last_login", "last_used_at"},
        )
