#!/usr/bin/env bash
# Runs a command with the process clock moved to an instant and the process time zone set:
#   scripts/run-at.sh 2027-02-28T16:59:00Z Asia/Ho_Chi_Minh npx vitest run test/unit
# The instant is absolute (UTC); Debian's faketime takes a local time, so it is converted in the target
# zone first. The clock keeps ticking from there. PostgreSQL keeps the real clock: that skew is part of
# the proof (business times come from the gateway's clock, not from the database's now()).
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "dùng: scripts/run-at.sh <thời điểm UTC, vd 2027-02-28T16:59:00Z> <múi giờ, vd UTC> <lệnh…>" >&2
  exit 2
fi
instant=$1 zone=$2
shift 2
command -v faketime >/dev/null || { echo "thiếu faketime: cài gói Debian faketime (apt-get install faketime)" >&2; exit 1; }
local_time=$(TZ="$zone" date -d "$instant" '+%Y-%m-%d %H:%M:%S') || { echo "thời điểm không hợp lệ: $instant" >&2; exit 2; }
echo "[run-at] $instant ($zone: $local_time)" >&2
exec env TZ="$zone" faketime "$local_time" "$@"
