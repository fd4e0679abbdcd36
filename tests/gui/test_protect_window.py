"""The window never shows a PostgreSQL password (issue 19, item 9): the status bar (drawn in every
`ivo gui --screenshot` image) and the settings page. Meaningful on a server URL with a password:
`make test-pg` runs it there; on SQLite there is no password to hide."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from ivo_app.ui.pages.settings import SettingsPage


def test_the_status_bar_and_the_settings_page_hide_the_password(window, demo_db) -> None:  # type: ignore[no-untyped-def]
    url = make_url(demo_db.url)
    if not url.password:
        pytest.skip("a base without password (SQLite): nothing to hide")
    password = str(url.password)
    assert password not in window.base.text() and (url.host or "") in window.base.text()
    settings = next(p for p in window.pages if isinstance(p, SettingsPage))
    window.nav.setCurrentRow(window.pages.index(settings))
    shown = [w.text() for w in settings.findChildren(type(window.base)) if hasattr(w, "text")]
    assert any(url.host and url.host in text for text in shown)
    assert not [text for text in shown if password in text]
    assert password not in window.windowTitle() + window.statusBar().currentMessage()
