"""scripts/rasa-site (issue 18, memory): with it on PYTHONPATH, as the start scripts run
the Rasa server, TensorFlow loads without JAX and TensorFlow Lite takes it as absent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.servers import ROOT, rasa_server_env

PROBE = """
import sys
import tensorflow
tflite_util = sys.modules["tensorflow.lite.python.util"]  # imported by TensorFlow itself
print(tflite_util._xla_computation is None, "jaxlib" in sys.modules)
"""


def _probe(env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True, timeout=120)
    return done.stdout.split()[-2] + " " + done.stdout.split()[-1]


def test_tensorflow_loads_without_jax_in_the_rasa_server(tmp_path: Path) -> None:
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # Keras writes ~/.keras
    assert _probe(base) == "False True"  # JAX installed (TensorFlow needs it): loaded
    assert _probe(rasa_server_env(base)) == "True False"  # kept out
    assert _probe(rasa_server_env({**base, "RASA_TUNING": "0"})) == "False True"  # "before"
