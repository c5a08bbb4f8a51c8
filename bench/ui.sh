#!/bin/bash
# bench/ui.sh [LLMLAB_BIN]: the UI's responsiveness figures against the
# targets of the UI issue. llmlab runs in a detached tmux session (100x30)
# on the e2e fixture lab; a step that streams output, a live plot and
# progress runs for about 4 s while 40 keys are sent (one per 50 ms); the
# UI writes its own measurements ($LLMLAB_UI_STATS, see src/app/tui/tui.c):
#   first frame      time from start to the first drawn screen (target < 200 ms)
#   key latency      key read -> screen drawn, while the step runs (target < 50 ms)
#   redraw CPU       UI thread + gnuplot CPU / wall time while the step runs
#                    (target < 20% of one core)
# Last line: machine-readable "RESULT first_frame_ms=... key_max_ms=... cpu_pct=...".
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/llmlab}
tmp=$(mktemp -d)
sock=llmlab-bench-$$
T="tmux -L $sock -f /dev/null"
trap '$T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
$T new-session -d -s b -x 100 -y 30 "env TERM=screen LLMLAB_DB=$tmp/db XDG_DATA_HOME=$tmp/xdg LLMLAB_LABS=$here/tests/e2e/data/labs LLMLAB_UI_STATS=$tmp/stats $bin ui --lab w01.lab01; sleep 30"
wait_for() { for _ in $(seq 200); do $T capture-pane -p -t b | grep -q -- "$1" && return 0; sleep 0.05; done; echo "timeout waiting for $1" >&2; exit 1; }
wait_for 'Step 1/'
$T send-keys -t b n r
wait_for 'tick 2'
for i in $(seq 40); do
    if [ $((i % 2)) = 0 ]; then $T send-keys -t b j; else $T send-keys -t b k; fi
    sleep 0.05
done
sleep 1
$T send-keys -t b x
wait_for 'cancelled'
$T send-keys -t b q q
for _ in $(seq 100); do [ -s "$tmp/stats" ] && break; sleep 0.05; done
. "$tmp/stats"
cpu=$(awk "BEGIN{print $ui_thread_cpu_pct + $gnuplot_cpu_pct}")
printf '%-34s %10s   %s\n' "figure" "measured" "target"
printf '%-34s %10s   %s\n' "first frame (ms)" "$first_frame_ms" "< 200"
printf '%-34s %10s   %s\n' "key latency while running, mean" "$key_latency_mean_ms" "< 50"
printf '%-34s %10s   %s\n' "key latency while running, max" "$key_latency_max_ms" "< 50"
printf '%-34s %10s   %s\n' "keys answered while running" "$keys_while_running" "40 sent"
printf '%-34s %10s   %s\n' "redraws while running" "$draws_while_running" "(at most 4 plot renders/s)"
printf '%-34s %10s   %s\n' "UI thread CPU while running (%)" "$ui_thread_cpu_pct" ""
printf '%-34s %10s   %s\n' "gnuplot CPU while running (%)" "$gnuplot_cpu_pct" ""
printf '%-34s %10s   %s\n' "redraw CPU total (%)" "$cpu" "< 20"
echo "RESULT first_frame_ms=$first_frame_ms key_mean_ms=$key_latency_mean_ms key_max_ms=$key_latency_max_ms cpu_pct=$cpu busy_ms=$busy_wall_ms"
