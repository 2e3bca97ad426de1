"""The test tree needs nothing outside the repository: every sample a test reads is
under tests/fixtures/ (a clean clone with no ../shared beside it runs every test)."""

from __future__ import annotations

import re

from tests.support.paths import ROOT

# A path that leaves the repository: the shared data folder, an absolute path of one
# machine, or climbing above the repository's root from a test module.
OUTSIDE = re.compile(r"""shared["']?\s*/\s*["']?data|/work/|\.\./shared"""
                     r"""|parents\[[4-9]\]|\.parent\.parent\.parent\.parent""")


def test_no_test_reads_a_path_outside_the_repository() -> None:
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if path.name == "test_self_contained.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_the_pattern_catches_what_it_should() -> None:
    caught = ['Path(__file__).resolve().parents[4] / "x"',
              'Path("/work/shared/data/formats/x.json")',
              'ROOT.parent / "shared" / "data" / "formats"']
    assert all(OUTSIDE.search(line) for line in caught)
    assert not OUTSIDE.search('SAMPLES = FIXTURES / "samples"')
