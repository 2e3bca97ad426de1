#!/usr/bin/env bash
# NLU evaluation on a held-out split of our own data: 80 % to train an NLU-only model,
# 20 % never seen in training to test it. The per-intent and per-entity reports are
# kept in bot/evaluation/ (committed) so changes to the data show in review.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
work=var/nlu-eval
rm -rf "$work"; mkdir -p "$work"
.venv/bin/rasa data split nlu --nlu bot/data --training-fraction 0.8 --random-seed 42 \
  --out "$work/split"
# The held-out part must not sit where training reads (rasa would train on it too).
mkdir -p "$work/heldout" && mv "$work/split/test_data.yml" "$work/heldout/"
.venv/bin/rasa train nlu --config config.yml --nlu "$work/split/training_data.yml" \
  --out "$work/models" --fixed-model-name nlu-heldout
.venv/bin/rasa test nlu --model "$work/models/nlu-heldout.tar.gz" \
  --nlu "$work/heldout/test_data.yml" --out "$work/results" --no-plot
mkdir -p bot/evaluation
cp "$work/results/intent_report.json" bot/evaluation/intent_report.json
cp "$work/results/DIETClassifier_report.json" bot/evaluation/entity_report.json 2>/dev/null || true
.venv/bin/python scripts/nlu_report.py bot/evaluation/intent_report.json \
  bot/evaluation/entity_report.json > bot/evaluation/README.md
cat bot/evaluation/README.md
