from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "cybercap.demo"
    label = "demo"
    verbose_name = "Demo data"

    def ready(self) -> None:
        from cybercap.demo import registry, seed

        registry.register("network-and-accounts", seed.seed_network_and_accounts, order=10)
