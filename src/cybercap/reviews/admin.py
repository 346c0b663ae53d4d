"""Django admin for programme staff: every reviews model, read-only.

Reviews change only through their workflow (``services``), which checks who may do what in
which state and writes the audit trail; frameworks change only through their content files
(``cybercap content load``). The admin is therefore a place to look, filter and search, never
to edit: no add, change or delete. Staff see what they see elsewhere: a TLP:RED review, and
everything inside it, only when they are named on it (``selectors.reviews_for_user``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from cybercap.reviews.models import (
    Answer,
    Consultation,
    Evidence,
    FrameworkVersion,
    Indicator,
    Recommendation,
    Review,
    ReviewTransition,
    TargetLevel,
    ValidationComment,
)
from cybercap.reviews.selectors import reviews_for_user


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewing, filtering and searching only; writes go through the services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InReviewAdmin(ReadOnlyAdmin):
    """Rows that belong to a review: only those of reviews the user may read (TLP:RED)."""

    review_path = "review"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        visible = reviews_for_user(user=request.user).values("pk")
        return super().get_queryset(request).filter(**{f"{self.review_path}__in": visible})


# --------------------------------------------------------------------------- the framework


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(ReadOnlyAdmin):
    list_display = ("key", "version", "title", "loaded_at")
    list_filter = ("key",)
    search_fields = ("key", "title")
    exclude = ("levels", "stakeholder_clusters", "mapping")
    readonly_fields = ("levels", "stakeholder_clusters", "mapping")


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "framework", "area", "weight", "retired")
    list_filter = ("framework", "area__pillar__key", "retired", "topics")
    search_fields = ("code", "title", "question")
    list_select_related = ("framework", "area")


@admin.register(TargetLevel)
class TargetLevelAdmin(ReadOnlyAdmin):
    list_display = ("country", "indicator_code", "level")
    list_filter = ("country", "level")
    search_fields = ("country__code", "country__name", "indicator_code")
    list_select_related = ("country",)


# --------------------------------------------------------------------------- reviews


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("country", "cycle", "state", "tlp", "framework", "is_demo", "updated_at")
    list_filter = ("state", "tlp", "cycle", "country", "framework", "is_demo")
    search_fields = ("country__code", "country__name", "summary")
    date_hierarchy = "updated_at"
    list_select_related = ("country", "framework")
    filter_horizontal = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Review]:
        return reviews_for_user(user=request.user)


@admin.register(ReviewTransition)
class ReviewTransitionAdmin(InReviewAdmin):
    list_display = ("review", "from_state", "to_state", "by", "at")
    list_filter = ("to_state", "from_state", "review__country")
    search_fields = ("review__country__code", "review__country__name", "note")
    date_hierarchy = "at"
    list_select_related = ("review__country", "by")


@admin.register(Consultation)
class ConsultationAdmin(InReviewAdmin):
    list_display = ("review", "date", "cluster")
    list_filter = ("cluster", "review__country", "review__cycle")
    search_fields = ("review__country__code", "review__country__name", "cluster", "notes")
    date_hierarchy = "date"
    list_select_related = ("review__country",)


@admin.register(Answer)
class AnswerAdmin(InReviewAdmin):
    list_display = (
        "review",
        "indicator_code",
        "level",
        "not_applicable",
        "confidence",
        "second_level",
        "needs_discussion",
        "updated_by",
        "updated_at",
    )
    list_filter = (
        "level",
        "not_applicable",
        "confidence",
        "needs_discussion",
        "review__state",
        "review__country",
        "review__cycle",
    )
    search_fields = ("indicator__code", "indicator__title", "review__country__code", "evidence")
    list_select_related = ("review__country", "indicator", "updated_by")

    @admin.display(description="indicator", ordering="indicator__code")
    def indicator_code(self, answer: Answer) -> str:
        return answer.indicator.code


@admin.register(Evidence)
class EvidenceAdmin(InReviewAdmin):
    review_path = "answer__review"
    list_display = ("original_name", "content_type", "size", "answer", "uploaded_by", "uploaded_at")
    list_filter = ("content_type", "answer__review__country", "answer__review__cycle")
    search_fields = ("original_name", "description", "answer__indicator__code")
    list_select_related = ("answer__review__country", "answer__indicator", "uploaded_by")
    # The file itself is downloaded through the review page, which checks access; no raw link.
    exclude = ("file",)


@admin.register(ValidationComment)
class ValidationCommentAdmin(InReviewAdmin):
    list_display = ("review", "indicator", "author", "created_at", "short_body")
    list_filter = ("review__country", "review__cycle")
    search_fields = ("body", "indicator__code", "review__country__code")
    list_select_related = ("review__country", "indicator", "author")

    @admin.display(description="comment")
    def short_body(self, comment: ValidationComment) -> str:
        return comment.body[:80]


@admin.register(Recommendation)
class RecommendationAdmin(InReviewAdmin):
    list_display = ("review", "short_text", "priority", "horizon", "responsible", "edited")
    list_filter = (
        "priority",
        "horizon",
        "responsible",
        "edited",
        "obsolete",
        "review__state",
        "review__country",
        "review__cycle",
    )
    search_fields = ("text", "source_key", "indicators__code", "review__country__code")
    list_select_related = ("review__country",)

    @admin.display(description="recommendation")
    def short_text(self, recommendation: Recommendation) -> str:
        return recommendation.text[:80]
