"""URLs for bench/bench_elearning.py only: the platform's, plus a bare Django page."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from cybercap.urls import urlpatterns as platform


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns: list[URLPattern | URLResolver] = [path("bench/bare/", bare), *platform]
