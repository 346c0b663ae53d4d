"""An upload handler that refuses a file while its bytes arrive, once it passes its limit.

Django streams uploads to temporary files, so a huge body never sits in memory; this handler
also keeps it from filling the disk: the file is skipped at the first chunk past its field's
limit, and the view reports it as too large (nothing is kept).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest


class CappedUploadHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest, limits: dict[str, int]) -> None:
        super().__init__(request)
        self.limits = limits
        self.oversize: dict[str, tuple[str, int]] = {}
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        limit = self.limits.get(self.field_name or "")
        if limit is not None and self.received > limit:
            self.oversize[self.field_name or ""] = (str(self.file_name), limit)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
