"""Every page of the window is a `Page`: its title is its navigation entry and picks its icon."""

from __future__ import annotations

from ivo_app.ui.icons import PAGE_ICONS
from ivo_app.ui.pages.base import Page


def test_every_page_is_a_page_named_in_the_navigation(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    titles = [window.nav.item(row).text() for row in range(window.nav.count())]
    assert titles == [page.title for page in window.pages]
    assert len(set(titles)) == len(titles) == 10
    for row, page in enumerate(window.pages):
        assert isinstance(page, Page) and page.state is window.state
        assert page.title in PAGE_ICONS, page.title  # an entry without its icon is a title typo
        window.nav.setCurrentRow(row)
        assert window.stack.currentWidget() is page
