"""HTTP service for capture stations: FastAPI app factory, routes, schemas, operator page.

A thin front door (DESIGN.md): parse the request, call ``biocap.records.evaluate`` and the
policy, format the answer. No measurement logic lives here. Attributes load lazily so that
``biocap`` can name ``api.server`` without importing the web stack.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from api.app import create_app

        return create_app
    if name == "Settings":
        from api.settings import Settings

        return Settings
    raise AttributeError(name)
