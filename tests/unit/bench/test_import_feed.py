"""The feed import bench reports every rejection: the import report keeps only the first
REJECTION_SAMPLE whole and counts the others (knowledge/importers/report.py), so its
`rejected` list is not the number of records refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import knowledge.importers
from bench.import_feed import _child
from knowledge.importers.report import REJECTION_SAMPLE, ImportReport, Rejection


class Queue(list[dict[str, Any]]):
    def put(self, item: dict[str, Any]) -> None:
        self.append(item)


def test_the_child_reports_the_true_number_of_rejections(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    refused = REJECTION_SAMPLE + 50

    def import_file(factory: Any, path: Path) -> ImportReport:
        report = ImportReport(source=str(path))
        for n in range(refused):
            report.reject(Rejection(f"objects/{n}.json", f"id-{n}", None, "latitude absente"))
        return report

    monkeypatch.setattr(knowledge.importers, "import_file", import_file)
    queue = Queue()
    _child(str(tmp_path / "feed"), str(tmp_path / "kb.sqlite3"), False, queue)
    [result] = queue
    assert result["rejected"] == refused
