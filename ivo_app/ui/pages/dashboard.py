"""Tableau de bord: the indicators of the selected extraction, and the trend since the previous one."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QProgressBar, QVBoxLayout, QWidget

from ivo_app.services.indicators import compute_indicators
from ivo_app.ui.background import LatestOnly
from ivo_app.ui.charts import HistoryChart
from ivo_app.ui.state import AppState


class DashboardPage(QWidget):
    title = "Tableau de bord"

    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.heading = QLabel()
        self.figures = QLabel()
        self.figures.setWordWrap(True)
        self.bars = QGridLayout()
        box = QGroupBox("Statuts des identités")
        box.setLayout(self.bars)
        self.anomalies = QLabel()
        self.anomalies.setWordWrap(True)
        self.history = HistoryChart()
        layout = QVBoxLayout(self)
        for w in (self.heading, self.figures, box, self.anomalies, self.history):
            layout.addWidget(w)
        layout.addStretch()
        self.loader = LatestOnly(self._read, self._show, self._failed)
        state.extraction_changed.connect(lambda _: self.refresh())
        state.data_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Indicators are read in a worker (seconds on a million identities): the window stays free."""
        if self.state.extraction_id is None:
            self.loader.generation += 1  # drop any read still running for the previous base
            self.heading.setText("<h2>Tableau de bord</h2><p>Aucune extraction : importez un fichier.</p>")
            return
        self.figures.setText("Calcul des indicateurs…")
        self.loader.request()

    def _read(self) -> dict[str, Any] | None:
        db, extraction_id = self.state.db, self.state.extraction_id
        return None if extraction_id is None else compute_indicators(db, extraction_id)

    def _failed(self, message: str) -> None:
        self.figures.setText(_esc(message))

    def _show(self, data: dict[str, Any] | None) -> None:
        if data is None:
            return
        ext = data["extraction"]
        self.heading.setText(
            f"<h2>{_esc(ext['facility'])}</h2><p>Extraction n° {ext['id']} du {ext['extracted_on']}</p>"
        )
        trend = data.get("trend")
        trend_text = ""
        if trend:
            q = trend["qualification_rate"]
            trend_text = (
                f"<br>Depuis l'extraction du {trend['previous_extracted_on']} : taux de qualification "
                f"{q['before']} % → {q['now']} % ({q['delta']:+} points)."
            )
        self.figures.setText(
            f"<b>{data['identities']}</b> identités, dont <b>{data['active_identities']}</b> dans la file active "
            f"(venue depuis le {data['active_since']}).<br>Taux de qualification de la file active : "
            f"<b>{data['qualification_rate']} %</b> ; identités récupérées : {data['recup_share']} %.<br>"
            f"Lieu de naissance inconnu : {data['unknown_birthplace']} ; dates complétées : {data['completed_dates']}."
            + trend_text
        )
        while self.bars.count():
            item = self.bars.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        total = max(1, data["identities"])
        for row, (status, count) in enumerate(data["statuses"].items()):
            bar = QProgressBar()
            bar.setRange(0, total)
            bar.setValue(count)
            bar.setFormat(f"{count} ({100 * count / total:.1f} %)")
            self.bars.addWidget(QLabel(status), row, 0)
            self.bars.addWidget(bar, row, 1)
        self.history.set_history(data["history"] if len(data["history"]) > 1 else [])
        an = data["anomalies"]
        if an["checked"]:
            sev = ", ".join(f"{k} {v}" for k, v in an["by_severity"].items())
            self.anomalies.setText(
                f"<b>{an['total']}</b> anomalies ({sev}) sur {an['identities_with_findings']} identités."
            )
        else:
            self.anomalies.setText(
                "Vérification non lancée : page « Établissements et extractions », « Vérifier »."
            )


def _esc(text: str) -> str:
    from html import escape

    return escape(text)
