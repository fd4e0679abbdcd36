"""`ivo verifier` run as a person runs it: exit code, the table it prints, the base after."""

from __future__ import annotations

from pathlib import Path

from ivo_app.labels import format_int
from ivo_app.services.checks import findings_summary
from ivo_app.store.db import open_database
from tests.cli import ivo_runner


def test_the_table_counts_identities_and_findings_as_the_base_holds_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'base.sqlite'}"

    run = ivo_runner(url)

    def ivo(*args: str) -> str:
        return run(*args).stdout

    ivo("demo", "--taille", "1500", "--graine", "7")
    out = ivo("verifier")
    summary = findings_summary(open_database(url))
    lines = out.splitlines()
    # French conventions: 1 500, not 1500 (the count of identities passes the thousands).
    assert lines[0].endswith(f"{format_int(1500)} identités, {format_int(summary['total'])} anomalies.")
    assert summary["total"] > 100  # the demo injects anomalies: the count is not empty by accident
    shown = {line.split()[0]: line.split(None, 1)[1].strip() for line in lines[1:]}
    for severity, count in summary["by_severity"].items():
        assert shown[severity] == format_int(count), severity
    for rule, count in summary["by_rule"].items():
        assert shown[rule].startswith(format_int(count) + "  "), rule
