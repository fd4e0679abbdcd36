"""The generated PDF previewed inside the Rapport page: every page placed, rendered when seen."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from ivo_app.errors import IvoError
from ivo_app.ui.pages.report import ReportPage
from ivo_app.ui.pdf_preview import PdfPreview


def dark_pixels(preview: PdfPreview, index: int) -> int:
    image = preview.pages[index].pixmap().toImage()
    return sum(
        1
        for x in range(0, image.width(), 5)
        for y in range(0, image.height(), 5)
        if image.pixelColor(x, y).lightness() < 128
    )


def test_generated_report_is_previewed_page_by_page(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = next(p for p in window.pages if isinstance(p, ReportPage))
    window.nav.setCurrentRow(window.pages.index(report))
    preview = report.preview
    assert preview.page_count == 0
    target = tmp_path / "qualite.pdf"
    report.generate(target)
    qtbot.waitUntil(lambda: preview.page_count > 0, timeout=30_000)
    pages = len(PdfReader(target).pages)
    assert preview.page_count == pages >= 3
    qtbot.waitUntil(lambda: 0 in preview.rendered, timeout=5_000)
    assert len(preview.rendered) < pages  # lazily: the pages out of sight are not rendered yet
    assert dark_pixels(preview, 0) > 50  # text was drawn, not a blank page
    assert preview.pages[-1].pixmap().isNull()

    qtbot.waitUntil(lambda: preview.verticalScrollBar().maximum() > 0, timeout=5_000)  # laid out
    preview.scroll_to_page(pages - 1)
    assert pages - 1 in preview.rendered
    assert dark_pixels(preview, pages - 1) > 10

    before = preview.document
    report.generate(target)  # the file is not held open: it can be written again, and is reloaded
    qtbot.waitUntil(lambda: preview.document is not before and 0 in preview.rendered, timeout=30_000)
    assert preview.page_count == pages
    assert pages - 1 not in preview.rendered


def test_an_unreadable_pdf_is_reported_in_french(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    preview = PdfPreview()
    qtbot.addWidget(preview)
    broken = tmp_path / "casse.pdf"
    broken.write_bytes(b"%PDF-1.4 tronque")
    with pytest.raises(IvoError, match="pas un PDF lisible"):
        preview.load(broken)
    assert preview.page_count == 0
