from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "cybercap.activities"
    label = "activities"
    verbose_name = "Programme activities"

    def ready(self) -> None:
        from cybercap.activities import models
        from cybercap.activities.demo import seed_activities
        from cybercap.core import audit
        from cybercap.demo import registry

        audit.register(
            models.Activity,
            models.ActivityTransition,
            models.Session,
            models.SeatQuota,
            models.Material,
            models.TrainerAssignment,
            models.Registration,
            models.ImportMapping,
            models.ParticipantImport,
            models.Attendance,
            # Survey answers stay out of the audit log: it would name who gave them.
            models.Evaluation,
            models.EvaluationScore,
            models.FeedbackQuestion,
            models.FeedbackReceipt,
        )
        registry.register("activities", seed_activities, order=50)
