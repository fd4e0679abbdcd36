"""Tableau de bord: the indicators of the selected extraction, and the trend since the previous one."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QLabel, QVBoxLayout

from ivo_app.labels import SEVERITIES, format_date, format_decimal, format_int, format_percent, label, plural
from ivo_app.services.audit import qualification_target
from ivo_app.services.indicators import Indicators, compute_indicators
from ivo_app.ui.background import LatestOnly
from ivo_app.ui.charts import HistoryChart, StatusChart
from ivo_app.ui.pages.base import Page
from ivo_app.ui.state import AppState


class DashboardPage(Page):
    title = "Tableau de bord"

    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.heading = QLabel()
        self.figures = QLabel()
        self.figures.setWordWrap(True)
        self.status_chart = StatusChart()
        self.anomalies = QLabel()
        self.anomalies.setWordWrap(True)
        self.history = HistoryChart()
        layout = QVBoxLayout(self)
        for w in (self.heading, self.figures, self.status_chart, self.anomalies, self.history):
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
            self.figures.setText("")
            self.anomalies.setText("")
            self.status_chart.set_statuses({})
            self.history.set_history([])
            return
        self.figures.setText("Calcul des indicateurs…")
        self.loader.request()

    def _read(self) -> tuple[Indicators, tuple[float, str]] | None:
        db, extraction_id = self.state.db, self.state.extraction_id
        if extraction_id is None:
            return None
        data = compute_indicators(db, extraction_id)
        return data, qualification_target(db, data["extraction"]["facility"])

    def _failed(self, message: str) -> None:
        self.figures.setText(_esc(message))

    def _show(self, read: tuple[Indicators, tuple[float, str]] | None) -> None:
        if read is None:
            return
        data, (target, source) = read
        ext = data["extraction"]
        self.heading.setText(
            f"<h2>{_esc(ext['facility'])}</h2><p>Extraction n° {ext['id']} du {format_date(ext['extracted_on'])}</p>"
        )
        trend = data.get("trend")
        trend_text = ""
        if trend:
            q = trend["qualification_rate"]
            delta = format_decimal(q["delta"])
            sign = "+" if q["delta"] > 0 else ""
            trend_text = (
                f"<br>Depuis l'extraction du {format_date(trend['previous_extracted_on'])} : taux de qualification "
                f"{format_percent(q['before'])} → {format_percent(q['now'])} ({sign}{delta} points)."
            )
        self.figures.setText(
            f"<b>{format_int(data['identities'])}</b> identités, dont <b>{format_int(data['active_identities'])}</b> "
            f"dans la file active (venue depuis le {format_date(data['active_since'])}).<br>"
            f"Taux de qualification de la file active : <b>{format_percent(data['qualification_rate'])}</b> "
            f"(objectif {format_percent(target, 0)}, {_esc(source)}) ; identités récupérées : "
            f"{format_percent(data['recup_share'])}.<br>"
            f"Lieu de naissance inconnu : {format_int(data['unknown_birthplace'])} ; "
            f"dates complétées : {format_int(data['completed_dates'])}." + trend_text
        )
        self.status_chart.set_statuses(data["statuses"])
        self.history.set_history(data["history"], target)
        an = data["anomalies"]
        if an["checked"]:
            sev = ", ".join(
                f"{label(SEVERITIES, k).lower()} : {format_int(v)}" for k, v in an["by_severity"].items()
            )
            self.anomalies.setText(
                f"<b>{plural(an['total'], 'anomalie')}</b> ({sev}) sur "
                f"{plural(an['identities_with_findings'], 'identité')}."
            )
        else:
            self.anomalies.setText(
                "Vérification non lancée : page « Établissements et extractions », bouton « Vérifier l'extraction »."
            )


def _esc(text: str) -> str:
    return escape(text)
