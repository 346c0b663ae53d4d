"""Settings for bench/bench_elearning.py only: the platform's settings, plus one bare page.

The bare page (``/bench/bare/``, a view returning a short HttpResponse through the whole
middleware stack) is the baseline the e-learning pages are measured against. It is not in the
production URLs.
"""

from cybercap.settings import *  # noqa: F403

ROOT_URLCONF = "elbench_urls"
