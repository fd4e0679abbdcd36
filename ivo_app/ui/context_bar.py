"""The bar above every page: which facility and which extraction the window shows, switchable.
Nothing changes the window's subject without it showing here."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from ivo_app.labels import format_date, plural
from ivo_app.services.extractions import ExtractionInfo, list_extractions
from ivo_app.ui.state import AppState


class ContextBar(QWidget):
    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.infos: list[ExtractionInfo] = []
        self.facility = QComboBox()
        self.facility.setMinimumContentsLength(20)
        self.extraction = QComboBox()
        self.extraction.setMinimumContentsLength(30)
        self.demo = QLabel()
        self.demo.setStyleSheet("color: #8a4b00; font-weight: bold")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Établissement :"))
        layout.addWidget(self.facility)
        layout.addWidget(QLabel("Extraction :"))
        layout.addWidget(self.extraction)
        layout.addWidget(self.demo)
        layout.addStretch()
        self.facility.activated.connect(self._facility_chosen)
        self.extraction.activated.connect(self._extraction_chosen)
        state.data_changed.connect(self.refresh)
        state.extraction_changed.connect(lambda _: self.refresh())
        state.database_changed.connect(lambda _: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        self.infos = list_extractions(self.state.db)
        current = next((i for i in self.infos if i.id == self.state.extraction_id), None)
        facilities = sorted({(i.facility, i.facility_id) for i in self.infos})
        self.facility.blockSignals(True)
        self.facility.clear()
        for name, ident in facilities:
            self.facility.addItem(name, ident)
        if current is not None:
            self.facility.setCurrentIndex(self.facility.findData(current.facility_id))
        self.facility.blockSignals(False)
        self._fill_extractions(current.facility_id if current else None)
        self.setVisible(bool(self.infos))
        self.demo.setText("Données de démonstration" if current is not None and current.is_demo else "")

    def _fill_extractions(self, facility_id: int | None) -> None:
        self.extraction.blockSignals(True)
        self.extraction.clear()
        for info in self.infos:
            if info.facility_id == facility_id:
                self.extraction.addItem(
                    f"n° {info.id} du {format_date(info.extracted_on)} — {plural(info.rows, 'identité')}",
                    info.id,
                )
        index = self.extraction.findData(self.state.extraction_id)
        if index >= 0:
            self.extraction.setCurrentIndex(index)
        self.extraction.blockSignals(False)

    def _facility_chosen(self, _index: int) -> None:
        facility_id = self.facility.currentData()
        latest = [i for i in self.infos if i.facility_id == facility_id]
        if latest and latest[-1].id != self.state.extraction_id:
            self.state.select_extraction(latest[-1].id)

    def _extraction_chosen(self, _index: int) -> None:
        chosen = self.extraction.currentData()
        if chosen is not None and chosen != self.state.extraction_id:
            self.state.select_extraction(chosen)
