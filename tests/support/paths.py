"""Where the tests find things: every sample a test reads lives under tests/fixtures/."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLES = FIXTURES / "samples"  # real DATAtourisme and OpenAgenda samples (see its README)
