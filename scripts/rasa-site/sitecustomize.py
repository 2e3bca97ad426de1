"""Imported by Python first thing in the Rasa server only: the start scripts put this
directory on its PYTHONPATH (issue 18, memory).

TensorFlow imports TensorFlow Lite, which tries `from jax import xla_computation` for its
converter, never used here; JAX (a dependency of TensorFlow 2.12, so installed) then
loads XLA: about 100 MB of the Rasa process's memory for nothing. Here `import jax` fails
as if JAX were not installed, which TensorFlow Lite expects and handles.
"""

import sys

sys.modules.setdefault("jax", None)  # type: ignore[arg-type]  # None: "not importable"
