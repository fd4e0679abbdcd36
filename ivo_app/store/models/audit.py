"""Models of the audit area (owned by that area's issue). Empty until that area lands."""

from __future__ import annotations
