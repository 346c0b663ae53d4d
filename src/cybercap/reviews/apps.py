from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "cybercap.reviews"
    label = "reviews"
    verbose_name = "National Cyber Reviews"
