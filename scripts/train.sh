#!/usr/bin/env bash
# Trains the model into bot/models/famille.tar.gz when it is missing or older than the
# data, domain or config (FORCE=1 to retrain anyway).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
model=bot/models/famille.tar.gz
if [ -f "$model" ] && [ -z "${FORCE:-}" ] && \
   [ -z "$(find config.yml domain.yml bot/data -newer "$model" -print -quit)" ]; then
  echo ">> Modèle à jour : $model"
  exit 0
fi
# Extra arguments, split into words without glob expansion.
read -r -a train_args <<< "${TRAIN_ARGS:-}"
echo ">> Entraînement du modèle (quelques minutes)…"
.venv/bin/rasa train --config config.yml --domain domain.yml --data bot/data \
  --out bot/models --fixed-model-name famille "${train_args[@]}"
