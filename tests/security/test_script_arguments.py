"""The start scripts pass space-separated settings as words, never glob-expanded (issue 15:
`--cors $RASA_CORS` unquoted turned `*` into the names of the files in the working
directory). The real scripts run in a scratch copy of the project where `.venv/bin/rasa`
only records its arguments."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.support.servers import ROOT

FAKE_RASA = """#!/usr/bin/env bash
# Records one call: its arguments, one per line, then a separator. The action server
# stays up until the script stops it, so the script waits for the Rasa server's call.
printf '%s\\n' "$@" '--' >> "$RECORD"
if [ "$1 $2" = "run actions" ]; then exec sleep 30; fi
"""


def scratch_project(tmp_path: Path) -> Path:
    """The scripts, a fake rasa and a model newer than the data (so no training)."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "scripts", project / "scripts")
    rasa = project / ".venv" / "bin" / "rasa"
    rasa.parent.mkdir(parents=True)
    rasa.write_text(FAKE_RASA, encoding="utf-8")
    rasa.chmod(0o755)
    for name in ("config.yml", "domain.yml", "bot/data/nlu.yml"):
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text("", encoding="utf-8")
    model = project / "bot" / "models" / "famille.tar.gz"
    model.parent.mkdir(parents=True)
    model.write_bytes(b"")
    # Files a glob would expand `*` to.
    for name in ("a-file", "another-file"):
        (project / name).write_text("", encoding="utf-8")
    return project


def calls(record: Path) -> list[list[str]]:
    words = record.read_text(encoding="utf-8").splitlines()
    out: list[list[str]] = [[]]
    for word in words:
        if word == "--":
            out.append([])
        else:
            out[-1].append(word)
    return [call for call in out if call]


def run(project: Path, script: str, **env: str) -> list[list[str]]:
    record = project / "record.txt"
    environment = {"PATH": os.environ["PATH"], "HOME": str(project),
                   "RASA_API_TOKEN": "jeton", "RECORD": str(record), **env}
    subprocess.run(["bash", f"scripts/{script}"], cwd=project, env=environment,
                   check=True, timeout=60, capture_output=True)
    return calls(record)


def cors_of(call: list[str]) -> list[str]:
    return call[call.index("--cors") + 1:]


def test_run_all_passes_a_star_origin_as_is(tmp_path: Path) -> None:
    project = scratch_project(tmp_path)
    server = [c for c in run(project, "run-all.sh", RASA_CORS="*") if c[0] == "run"
              and "--cors" in c]
    assert len(server) == 1
    assert cors_of(server[0]) == ["*"]


def test_run_all_passes_each_origin_as_one_word(tmp_path: Path) -> None:
    project = scratch_project(tmp_path)
    origins = "https://a.example  https://b.example"
    server = [c for c in run(project, "run-all.sh", RASA_CORS=origins) if "--cors" in c]
    assert cors_of(server[0]) == ["https://a.example", "https://b.example"]


def test_train_args_are_not_glob_expanded(tmp_path: Path) -> None:
    project = scratch_project(tmp_path)
    (project / "bot" / "models" / "famille.tar.gz").unlink()
    (train,) = run(project, "train.sh", TRAIN_ARGS="--augmentation *")
    assert train[0] == "train"
    assert train[-2:] == ["--augmentation", "*"]
