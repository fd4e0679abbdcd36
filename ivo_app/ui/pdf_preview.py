"""A PDF shown inside the window, page under page, each rendered (pypdfium2) when it scrolls into view.

PySide6-Essentials has no QtPdf. The file is read into memory so that it stays free to be rewritten
(Windows locks open files); pdfium is not thread-safe, so rendering stays in the UI thread, one page
at a time, only for the pages the user can see.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from ivo_app.errors import IvoError

MIN_SCALE, MAX_SCALE = 0.6, 2.0  # pixels per PDF point: legible, yet a page is not a poster


class PdfPreview(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.document: pdfium.PdfDocument | None = None
        self.pages: list[QLabel] = []
        self.rendered: set[int] = set()
        self.scale = 1.0
        self._container = QWidget()
        self._layout = QVBoxLayout(self._container)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self._layout.setSpacing(12)
        self.setWidget(self._container)
        self.verticalScrollBar().valueChanged.connect(lambda _: self.render_visible())
        # Layout settles after the event loop runs: render then, and not once per intermediate size.
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.setInterval(0)
        self._pending.timeout.connect(self.render_visible)

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def load(self, path: Path) -> None:
        self.clear()
        try:
            self.document = pdfium.PdfDocument(Path(path).read_bytes())
        except (OSError, pdfium.PdfiumError) as exc:
            raise IvoError(f"Aperçu impossible : {Path(path).name} n'est pas un PDF lisible.") from exc
        sizes = [self.document.get_page_size(i) for i in range(len(self.document))]
        widest = max((w for w, _ in sizes), default=1.0)
        available = max(200, self.viewport().width() - 40)
        self.scale = min(MAX_SCALE, max(MIN_SCALE, available / widest))
        for number, (width, height) in enumerate(sizes, start=1):
            label = QLabel(f"Page {number} / {len(sizes)}")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setFixedSize(round(width * self.scale), round(height * self.scale))
            label.setStyleSheet("background: white; color: #888; border: 1px solid #ccc;")
            self._layout.addWidget(label)
            self.pages.append(label)
        self._pending.start()

    def clear(self) -> None:
        for label in self.pages:
            self._layout.removeWidget(label)
            label.deleteLater()
        self.pages, self.rendered = [], set()
        if self.document is not None:
            self.document.close()
            self.document = None
        self.verticalScrollBar().setValue(0)

    def page_tops(self) -> list[int]:
        """Where each page starts in the scrolled area, from the sizes (the layout may not have run)."""
        tops, y = [], self._layout.contentsMargins().top()
        for label in self.pages:
            tops.append(y)
            y += label.height() + self._layout.spacing()
        return tops

    def visible_pages(self) -> list[int]:
        top = self.verticalScrollBar().value()
        bottom = top + self.viewport().height()
        return [i for i, y in enumerate(self.page_tops()) if y < bottom and y + self.pages[i].height() > top]

    def render_visible(self) -> None:
        if not self.isVisible():  # a hidden page renders nothing; showEvent catches up
            return
        for index in self.visible_pages():
            if index not in self.rendered:
                self.render_page(index)

    def render_page(self, index: int) -> None:
        if self.document is None:
            return
        bitmap = self.document[index].render(scale=self.scale, rev_byteorder=True)  # RGB, white
        image = QImage(
            bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride, _FORMATS[bitmap.n_channels]
        ).copy()  # own the pixels: the bitmap's buffer goes away with it
        label = self.pages[index]
        label.setPixmap(QPixmap.fromImage(image))
        label.setStyleSheet("border: 1px solid #ccc;")
        self.rendered.add(index)

    def scroll_to_page(self, index: int) -> None:
        self.verticalScrollBar().setValue(self.page_tops()[index])
        self.render_visible()

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self._pending.start()

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        self._pending.start()


_FORMATS = {3: QImage.Format.Format_RGB888, 4: QImage.Format.Format_RGBA8888}
