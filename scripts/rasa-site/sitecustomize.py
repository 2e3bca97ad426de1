"""Imported by Python first thing in the Rasa server only: the start scripts put this
directory on its PYTHONPATH (issue 18, memory).

TensorFlow imports TensorFlow Lite, which tries `from jax import xla_computation` for its
converter, never used here; JAX (a dependency of TensorFlow 2.12, so installed) then
loads XLA: about 100 MB of the Rasa process's memory for nothing. Here `import jax` fails
as if JAX were not installed, which TensorFlow Lite expects and handles. Part of the
Rasa process's tuning: `RASA_TUNING=0` leaves JAX in, as before (connectors/rasa_tuning.py).
"""

import os
import sys

if os.environ.get("RASA_TUNING", "1").strip().lower() not in ("0", "false", "off", "no"):
    sys.modules.setdefault("jax", None)  # type: ignore[arg-type]  # None: "not importable"
