#!/usr/bin/env bash
# NLU evaluation (issue 12), reports kept in bot/evaluation/ (committed, dated):
#  1. an NLU-only model trained on ALL the training data (bot/data), timed, parses the blind
#     test set tests/nlu/blind/ (never trained on) -> blind_report.json;
#  2. 5-fold cross-validation of the training data -> cv_intent_report.json,
#     cv_entity_report.json (CV=0 skips it: the README then keeps no CV figures);
#  3. bot/evaluation/README.md written from those reports.
# Per-utterance results stay in var/nlu-eval/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
work=var/nlu-eval
out=bot/evaluation
rm -rf "$work"; mkdir -p "$work" "$out"

cores=$(nproc)
load=$(cut -d' ' -f1 /proc/loadavg)
echo ">> Entraînement NLU sur toutes les données ($cores cœurs, charge $load)…"
start=$(date +%s)
# No training cache: the time printed is a whole training.
RASA_MAX_CACHE_SIZE=0 .venv/bin/rasa train nlu --config config.yml --nlu bot/data \
  --out "$work/models" --fixed-model-name nlu
seconds=$(( $(date +%s) - start ))
size=$(stat -c %s "$work/models/nlu.tar.gz")
printf '{"seconds": %d, "cores": %d, "load": %s, "model_bytes": %d}\n' \
  "$seconds" "$cores" "$load" "$size" > "$out/train.json"
echo ">> Training time: ${seconds} s (NLU only, all training data, ${cores} cores); model size: $(( size / 1000000 )) MB"

echo ">> Blind test set (tests/nlu/blind)…"
.venv/bin/python scripts/nlu_report.py blind --model "$work/models/nlu.tar.gz" \
  --out "$out/blind_report.json"

readme() {
  .venv/bin/python scripts/nlu_report.py readme --blind "$out/blind_report.json" \
    "$@" --train-log "$out/train.json" --extra "$out/pipeline.md" --out "$out/README.md"
}
# The blind figures are written first; the cross-validation (5 more trainings) completes them.
rm -f "$out/cv_intent_report.json" "$out/cv_entity_report.json"
readme > /dev/null

if [ "${CV:-1}" != "0" ]; then
  echo ">> 5-fold cross-validation of the training data…"
  .venv/bin/rasa test nlu --nlu bot/data --config config.yml --cross-validation --folds 5 \
    --out "$work/cv" --no-plot
  cp "$work/cv/intent_report.json" "$out/cv_intent_report.json"
  cp "$work/cv/DIETClassifier_report.json" "$out/cv_entity_report.json" 2>/dev/null || true
  readme --cv "$out/cv_intent_report.json"
else
  echo ">> CV=0: no cross-validation this time (the README says so)"
  readme
fi
echo ">> bot/evaluation/README.md"
