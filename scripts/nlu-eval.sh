#!/usr/bin/env bash
# NLU evaluation (issue 12), reports kept in bot/evaluation/ (committed, dated):
#  1. an NLU-only model trained on ALL the training data (bot/data), timed, parses the blind
#     test set tests/nlu/blind/ (never trained on) -> blind_report.json;
#  2. 5-fold cross-validation of the training data (scripts/nlu_cv.py, one fold at a time,
#     the README updated after each) -> cv_report.json (CV=0 skips it);
#  3. bot/evaluation/README.md written from those reports.
# Per-utterance results stay in var/nlu-eval/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
work=var/nlu-eval
out=bot/evaluation
rm -rf "$work"; mkdir -p "$work" "$out"

cores=$(nproc)
commit=$(git rev-parse --short HEAD)
dirty=$(git status --porcelain -- bot/data config.yml | wc -l)
load=$(cut -d' ' -f1 /proc/loadavg)
echo ">> Entraînement NLU sur toutes les données ($cores cœurs, charge $load)…"
start=$(date +%s)
# No training cache: the time printed is a whole training.
RASA_MAX_CACHE_SIZE=0 .venv/bin/rasa train nlu --config config.yml --nlu bot/data \
  --out "$work/models" --fixed-model-name nlu
seconds=$(( $(date +%s) - start ))
size=$(stat -c %s "$work/models/nlu.tar.gz")
printf '{"seconds": %d, "cores": %d, "load": %s, "model_bytes": %d, "commit": "%s", "uncommitted_data_files": %d}\n' \
  "$seconds" "$cores" "$load" "$size" "$commit" "$dirty" > "$out/train.json"
echo ">> Training time: ${seconds} s (NLU only, all training data, ${cores} cores); model size: $(( size / 1000000 )) MB"

echo ">> Blind test set (tests/nlu/blind)…"
.venv/bin/python scripts/nlu_report.py blind --model "$work/models/nlu.tar.gz" \
  --out "$out/blind_report.json" --conversations tests/conversations

readme() {
  .venv/bin/python scripts/nlu_report.py readme --blind "$out/blind_report.json" \
    "$@" --train-log "$out/train.json" --extra "$out/pipeline.md" --out "$out/README.md"
}
# The blind figures are written first; the cross-validation (5 more trainings) completes them.
if [ "${CV:-1}" = "keep" ] && [ -f "$out/cv_report.json" ]; then
  readme --cv "$out/cv_report.json" > /dev/null
else
  rm -f "$out/cv_report.json"
  readme > /dev/null
fi

if [ "${CV:-1}" = "keep" ]; then
  echo ">> CV=keep: the cross-validation report of the previous run is kept (its data commit is in it)"
  readme --cv "$out/cv_report.json"
elif [ "${CV:-1}" != "0" ]; then
  echo ">> 5-fold cross-validation of the training data (one fold at a time)…"
  .venv/bin/python scripts/nlu_cv.py split --folds 5 --out "$work/cv"
  git rev-parse --short HEAD > "$work/cv/commit"
  for k in 1 2 3 4 5; do
    fold="$work/cv/fold_$k"
    start=$(date +%s)
    RASA_MAX_CACHE_SIZE=0 .venv/bin/rasa train nlu --config config.yml --nlu "$fold/train" \
      --out "$fold" --fixed-model-name model > "$fold/train.log" 2>&1
    echo $(( $(date +%s) - start )) > "$fold/train_seconds"
    .venv/bin/python scripts/nlu_report.py blind --model "$fold/model.tar.gz" \
      --blind "$fold/test" --out "$fold/report.json" --predictions "$fold/predictions.json"
    .venv/bin/python scripts/nlu_cv.py aggregate --out "$work/cv" --report "$out/cv_report.json"
    readme --cv "$out/cv_report.json" > /dev/null
    echo ">> fold $k/5 done ($(cat "$fold/train_seconds") s of training)"
  done
  readme --cv "$out/cv_report.json"
else
  echo ">> CV=0: no cross-validation this time (the README says so)"
  readme
fi
echo ">> bot/evaluation/README.md"
