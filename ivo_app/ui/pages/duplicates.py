"""Doublons: the review queue. Two records side by side, differences highlighted, the reasons and
their weights; decide with buttons or keys (D, N, R), next pair automatically, undo (Ctrl+Z)."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from ivo_app import labels
from ivo_app.errors import IvoError
from ivo_app.identity import labelled
from ivo_app.labels import plural
from ivo_app.services import decision_files, duplicates
from ivo_app.services.exports import export_pairs
from ivo_app.ui import compare, dialogs, file_actions
from ivo_app.ui.feedback import notify
from ivo_app.ui.identity_panel import open_identity
from ivo_app.ui.models import IdRole, ListTableModel
from ivo_app.ui.pages.base import Page
from ivo_app.ui.state import AppState
from ivo_app.ui.tables import select_key, setup_table, sortable
from ivo_app.ui.tasks import run_task
from ivo_app.ui.views import SeenViews

# The fields the pair's comparison shows, in its order; labels from the field table.
TRAITS = labelled(("ipp", "birth_name", "used_name", "first_names", "first_first_name", "birth_date", "sex",
                 "birthplace", "ins_matricule", "status", "attributes"))  # fmt: skip
FILTERS = (("Toute la file", "a_examiner", None, False), ("Non décidées", "a_examiner", None, True),
           ("Probables", "probable", "doublon", False), ("Collisions", "a_examiner", "collision", False))  # fmt: skip


class DuplicatesPage(Page):
    title = "Doublons"

    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.seen = SeenViews(self, state)  # nominative data journaled when seen
        self.pairs: list[duplicates.PairView] = []
        self.detect_button = QPushButton("Détecter les doublons et collisions")
        self.detect_button.clicked.connect(self.detect)
        self.filter = QComboBox()
        for label, *_ in FILTERS:
            self.filter.addItem(label)
        self.filter.currentIndexChanged.connect(lambda _: self.refresh())
        self.count = QLabel()
        self.model = ListTableModel(["Type", "Niveau", "Score", "IPP A", "IPP B", "Décision"])
        self.list = QTableView()
        self.list.setModel(self.model)
        setup_table(self.list)
        sortable(self.list)
        self.list.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.selectionModel().selectionChanged.connect(self.show_pair)
        self.compare = QTableWidget(len(TRAITS), 2)
        self.compare.setHorizontalHeaderLabels(["Identité A", "Identité B"])
        self.compare.setVerticalHeaderLabels([label for _, label in TRAITS])
        self.compare.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.compare.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.compare.cellDoubleClicked.connect(lambda _row, column: self.open_record(column))
        self.compare.setToolTip("Double-cliquez une colonne pour ouvrir la fiche de cette identité.")
        self.reasons = QLabel()
        self.reasons.setWordWrap(True)
        self.comment = QLineEdit()
        self.comment.setPlaceholderText("Commentaire joint à la décision (facultatif)")
        self.comment.setMaxLength(500)
        buttons = QHBoxLayout()
        self.keys: dict[Qt.Key, str] = {}
        self.decision_buttons: dict[str, QPushButton] = {}
        for text, decision, key in (
            ("Doublon avéré (D)", "doublon", "D"),
            ("Non-doublon (N)", "non_doublon", "N"),
            ("À revoir (R)", "a_revoir", "R"),
        ):
            button = QPushButton(text)
            button.clicked.connect(lambda _=False, d=decision: self.decide(d))
            buttons.addWidget(button)
            self.decision_buttons[decision] = button
            self.keys[getattr(Qt.Key, f"Key_{key}")] = decision
        self.undo_button = QPushButton("Annuler la décision (Ctrl+Z)")
        self.undo_button.setToolTip("Annule la dernière décision enregistrée et la resélectionne.")
        self.undo_button.clicked.connect(self.undo)
        QShortcut(QKeySequence.StandardKey.Undo, self, self.undo)
        buttons.addWidget(self.undo_button)
        records = QHBoxLayout()
        self.record_buttons = []
        for column, text in ((0, "Fiche de l'identité A"), (1, "Fiche de l'identité B")):
            button = QPushButton(text)
            button.clicked.connect(lambda _=False, c=column: self.open_record(c))
            records.addWidget(button)
            self.record_buttons.append(button)
        records.addStretch()
        # Item views take plain letters for their keyboard search: D, N, R are caught before them.
        self.list.installEventFilter(self)
        self.compare.installEventFilter(self)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.compare)
        right_layout.addLayout(records)
        right_layout.addWidget(self.reasons)
        right_layout.addWidget(self.comment)
        right_layout.addLayout(buttons)
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        self.splitter = splitter
        top = QHBoxLayout()
        top.addWidget(self.detect_button)
        top.addWidget(self.filter)
        top.addWidget(self.count, 1)
        self.file_buttons: dict[str, QPushButton] = {}
        for key, text, slot in (
            ("export", "Exporter la file…", self.export_queue),
            ("merge", "Liste des fusions…", self.export_merge_list),
            ("decisions", "Importer des décisions…", self.import_decisions),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            top.addWidget(button)
            self.file_buttons[key] = button
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Doublons et collisions</h2>"))
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        state.extraction_changed.connect(lambda _: self.refresh())
        state.data_changed.connect(self.refresh)
        self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and not event.modifiers():
            decision = self.keys.get(Qt.Key(event.key()))
            if decision:
                self.decide(decision)
                return True
        return super().eventFilter(watched, event)

    def detect(self) -> None:
        if self.state.extraction_id is not None:
            run_task(
                self,
                "Détection des doublons",
                duplicates.find_duplicates,
                self.state.db,
                self.state.extraction_id,
                on_done=self._detected,
            )

    def _detected(self, _result: Any) -> None:
        self.refresh()
        notify(self, f"Détection terminée : {labels.plural(len(self.pairs), 'paire')} dans la file.")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.seen.page_shown()

    def refresh(self, keep_row: int = 0, keep_pair: tuple[str, str] | None = None) -> None:
        self.pairs = []
        if self.state.extraction_id is not None:
            _, level, kind, undecided = FILTERS[self.filter.currentIndex()]
            self.pairs = duplicates.list_pairs(
                self.state.db,
                self.state.extraction_id,
                min_level=level,
                kind=kind,
                undecided_only=undecided,
                limit=5000,
            )
        self.model.set_rows(
            [
                [
                    labels.label(labels.KINDS, p.kind),
                    labels.label(labels.LEVELS, p.level),
                    round(p.score, 1),
                    p.ipp_a,
                    p.ipp_b,
                    labels.label(labels.DECISIONS, p.decision, "—"),
                ]
                for p in self.pairs
            ],
            keys=list(range(len(self.pairs))),
        )
        self._fit_queue()
        self.count.setText(labels.plural(len(self.pairs), "paire"))
        self.detect_button.setEnabled(self.state.extraction_id is not None)
        for button in self.file_buttons.values():
            button.setEnabled(self.state.extraction_id is not None)
        has_pairs = bool(self.pairs)
        for button in (*self.decision_buttons.values(), *self.record_buttons):
            button.setEnabled(has_pairs)
        self.comment.setEnabled(has_pairs)
        if self.pairs:
            wanted = next(
                (i for i, p in enumerate(self.pairs) if keep_pair and (p.ipp_a, p.ipp_b) == keep_pair), None
            )
            if wanted is None or not select_key(self.list, wanted):
                self.list.selectRow(min(keep_row, len(self.pairs) - 1))
        else:
            self.compare.clearContents()
            self.reasons.setText(
                "Aucune paire : cliquez « Détecter les doublons et collisions »."
                if self.state.extraction_id
                else "Aucune extraction : importez un fichier (page « Établissements et extractions »)."
            )

    def _fit_queue(self) -> None:
        """The queue as wide as its columns (IPP A/B and the decision always visible)."""
        self.list.resizeColumnsToContents()
        header = self.list.horizontalHeader()
        width = (
            header.length() + self.list.frameWidth() * 2 + self.list.verticalScrollBar().sizeHint().width()
        )
        self.list.setMinimumWidth(width)
        self.splitter.setSizes([width, max(400, self.splitter.width() - width)])

    def current(self) -> tuple[int, duplicates.PairView] | None:
        """(row in the view, pair) of the selected pair, whatever the sort."""
        rows = self.list.selectionModel().selectedRows()
        if not rows or not self.pairs:
            return None
        key = rows[0].data(IdRole)
        if not isinstance(key, int) or not (0 <= key < len(self.pairs)):
            return None
        return rows[0].row(), self.pairs[key]

    def open_record(self, column: int) -> None:
        selected = self.current()
        if selected is not None:
            pair = selected[1]
            open_identity(self, self.state, pair.identity_a if column == 0 else pair.identity_b)

    def show_pair(self, *_: Any) -> None:
        selected = self.current()
        if selected is None:
            return
        pair = selected[1]
        a, b = duplicates.pair_records(self.state.db, pair)
        self.seen.shown("paire", self.state.extraction_id, 2)
        compare.fill(self.compare, [[_text(record, attr) for attr, _ in TRAITS] for record in (a, b)])
        self.reasons.setText("<b>Raisons</b> (poids de chaque trait) : " + escape(" ; ".join(pair.reasons)))

    def decide(self, decision: str) -> None:
        selected = self.current()
        if selected is None:
            return
        row, pair = selected
        try:
            duplicates.decide(
                self.state.db,
                self.state.extraction_id,
                pair.ipp_a,
                pair.ipp_b,
                decision,
                comment=self.comment.text().strip() or None,
                expected_version=pair.decision_version,
            )
        except IvoError as exc:
            dialogs.warn(self, exc.message)
            return
        self.comment.clear()
        notify(
            self, f"Paire {pair.ipp_a} / {pair.ipp_b} : {labels.label(labels.DECISIONS, decision).lower()}."
        )
        undecided_view = FILTERS[self.filter.currentIndex()][3]
        self.refresh(keep_row=row if undecided_view else row + 1)  # next pair automatically

    def undo(self) -> None:
        if self.state.extraction_id is None:
            return
        undone = duplicates.undo_last_decision(self.state.db, self.state.extraction_id)
        if undone:
            self.refresh(keep_pair=undone)  # the pair whose decision was undone, selected again
            notify(self, f"Décision annulée sur la paire {undone[0]} / {undone[1]}.")
        else:
            notify(self, "Aucune décision à annuler.")

    def export_queue(self) -> None:
        if self.state.extraction_id is None:
            return
        file_actions.save_with(
            self,
            "Exporter la file de revue",
            f"doublons-{self.state.extraction_id}.csv",
            export_pairs,
            self.state.db,
            self.state.extraction_id,
            describe=lambda n, path: (
                f"{n} paires écrites dans {path} : ajoutez une colonne decision pour les "
                "décider dans le classeur, puis « Importer des décisions »."
            ),
        )

    def export_merge_list(self) -> None:
        if self.state.extraction_id is None:
            return
        file_actions.save_with(
            self,
            "Liste des fusions (doublons avérés)",
            "fusions.csv",
            duplicates.merge_list,
            self.state.db,
            self.state.extraction_id,
            describe=lambda n, path: (
                f"{n} fusions à réaliser dans le logiciel d'admission, écrites dans {path}."
            ),
        )

    def import_decisions(self) -> None:
        if self.state.extraction_id is None:
            return
        path = file_actions.ask_open_path(
            self, "Décisions saisies dans un classeur", "Classeurs (*.csv *.xlsx *.xls *.ods)"
        )
        if path is None:
            return
        run_task(
            self,
            "Enregistrement des décisions",
            decision_files.decide_from_file,
            self.state.db,
            self.state.extraction_id,
            path,
            on_done=self._decisions_imported,
        )

    def _decisions_imported(self, count: int) -> None:
        QMessageBox.information(
            self,
            "IVO",
            f"{plural(count, 'décision enregistrée', 'décisions enregistrées')} en une seule fois.",
        )
        self.refresh()


def _text(identity: Any, attr: str) -> str:
    value = getattr(identity, attr)
    if attr == "status":
        return labels.status_label(value)
    if attr == "attributes":
        return labels.attributes_label(value)
    if attr == "birth_date":
        return value.strftime("%d/%m/%Y") if value else (identity.birth_date_raw or "")
    return "" if value is None else str(value)
