"""Log files kept 30 days at most (issue 15): run-all.sh writes each process's output to
var/log/NAME-YYYY-MM-DD.log (and the terminal) and deletes the files older than 28 days
at start and every hour, so no line stays more than 30 days. The real scripts, in a
scratch copy of the project where `.venv/bin/rasa` prints a line and records its call."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from tests.security.test_script_arguments import scratch_project
from tests.support.servers import ROOT

DAY = 24 * 3600
TALKING_RASA = """#!/usr/bin/env bash
echo "rasa $1 $2 : démarré"
echo "un avertissement" >&2
if [ "$1 $2" = "run actions" ]; then exec sleep 30; fi
sleep 1  # the action server has spoken before the script stops it
"""


def aged(path: Path, days: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("une vieille ligne\n", encoding="utf-8")
    then = time.time() - days * DAY
    os.utime(path, (then, then))
    return path


def test_prune_deletes_the_files_older_than_28_days(tmp_path: Path) -> None:
    logs = tmp_path / "var" / "log"
    old = [aged(logs / "rasa-ancien.log", 28.01), aged(logs / "web-2026-01-01.log", 45),
           aged(logs / "autre.txt", 31)]
    kept = [aged(logs / "rasa-recent.log", 27.9), aged(logs / "web-aujourdhui.log", 0)]
    subprocess.run(["bash", "-c", f"source {ROOT / 'scripts' / 'logs.sh'} && prune_logs"],
                   cwd=tmp_path, check=True, timeout=30)
    assert [p.exists() for p in old] == [False] * len(old)
    assert [p.exists() for p in kept] == [True] * len(kept)


def test_run_all_writes_day_files_and_prunes_at_start(tmp_path: Path) -> None:
    project = scratch_project(tmp_path)
    rasa = project / ".venv" / "bin" / "rasa"
    rasa.write_text(TALKING_RASA, encoding="utf-8")
    stale = aged(project / "var" / "log" / "rasa-2026-01-01.log", 40)
    env = {"PATH": os.environ["PATH"], "HOME": str(project), "RASA_API_TOKEN": "jeton"}
    done = subprocess.run(["bash", "scripts/run-all.sh"], cwd=project, env=env,
                          timeout=60, capture_output=True, text=True)
    assert "rasa run --model : démarré" in done.stdout  # still on the terminal
    assert not stale.exists()
    today = time.strftime("%Y-%m-%d")
    assert written(project / "var" / "log" / f"rasa-{today}.log") == [
        "rasa run --model : démarré", "un avertissement"]
    assert written(project / "var" / "log" / f"actions-{today}.log") == [
        "rasa run actions : démarré", "un avertissement"]


def written(log: Path) -> list[str]:
    """The lines of a log file, once both have arrived (the logger ends on its own when
    the process's output closes)."""
    for _ in range(50):
        if log.exists() and "un avertissement" in log.read_text(encoding="utf-8"):
            break
        time.sleep(0.1)
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []
