# Log files of the processes run-all.sh starts (sourced): one file per process and day,
# var/log/NAME-YYYY-MM-DD.log, also shown on the terminal; files older than
# LOG_KEEP_MINUTES (28 days) deleted at start and every hour, so that no line is kept
# more than 30 days (a day's file is last written at most a day after its first line).
LOG_DIR="${LOG_DIR:-var/log}"
LOG_KEEP_MINUTES="${LOG_KEEP_MINUTES:-$((28 * 24 * 60))}"

prune_logs() {
  mkdir -p "$LOG_DIR"
  find "$LOG_DIR" -type f -mmin "+$LOG_KEEP_MINUTES" -delete
}

# Copies its input, line by line, to the terminal and to the day's file of NAME ($1).
# printf's %(...)T is a bash built-in: no process per line.
log_to() {
  local line day
  mkdir -p "$LOG_DIR"
  while IFS= read -r line || [ -n "$line" ]; do
    printf -v day '%(%F)T' -1
    printf '%s\n' "$line"
    printf '%s\n' "$line" >> "$LOG_DIR/$1-$day.log"
  done
}

# Prunes every hour until killed, its sleep with it (its output discarded: it never
# holds a caller's pipe).
prune_logs_hourly() {
  (
    trap 'kill "$nap" 2>/dev/null; exit 0' TERM
    while :; do sleep 3600 & nap=$!; wait "$nap"; prune_logs; done
  ) >/dev/null 2>&1 &
}
