from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "cybercap.reviews"
    label = "reviews"
    verbose_name = "National Cyber Reviews"

    def ready(self) -> None:
        from cybercap.core import audit
        from cybercap.demo import registry
        from cybercap.reviews import models
        from cybercap.reviews.content import register_content_type
        from cybercap.reviews.demo import seed_reviews

        register_content_type()
        registry.register("reviews", seed_reviews, order=40)
        audit.register(
            models.FrameworkVersion,
            models.Pillar,
            models.Area,
            models.Indicator,
            models.TargetLevel,
            models.Review,
            models.ReviewTransition,
            models.Consultation,
            models.Answer,
            models.Evidence,
            models.ValidationComment,
            models.Recommendation,
        )
