#!/usr/bin/env bash
# Saves the app's window as a PNG, for docs/screenshots:
#   scripts/screenshot.sh LANG WIDTHxHEIGHT OUT.png [borderflow arguments...]
# e.g. scripts/screenshot.sh zh 1024x640 docs/screenshots/workbench-1024x640-zh.png \
#        scenarios/integration-package-2023.ron
# APP_RON_EXTRA adds lines to the app's stored settings, e.g. plot choices:
#   APP_RON_EXTRA='"plot choices embedded": "(plots:[],axes:{\\"Crossings\\":Log})",'
# Needs Xvfb (apt install xvfb) and a release build. The screen is larger than the window, so
# that the pointer, which Xvfb puts at the screen's centre, is off the window (no tooltip).
set -euo pipefail
lang=$1 size=$2 out=$3
shift 3
width=${size%x*} height=${size#*x}
root=$(cd "$(dirname "$0")/.." && pwd)
data=$(mktemp -d)
display=:$((90 + RANDOM % 100))
cat > "$data/app.ron" <<RON
{
    ${APP_RON_EXTRA:-}
    "language": "\"$lang\"",
    "welcome seen": "true",
    "window": "(normal_geometry:(outer_position_pixels:Some((x:0.0,y:0.0)),scale_factor:1.0,inner_size_points:(x:$width.0,y:$height.0)),fullscreen:false,maximized:false)"
}
RON
Xvfb "$display" -screen 0 2600x1700x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb; rm -rf "$data"' EXIT
sleep 1
DISPLAY=$display BORDERFLOW_DATA_DIR=$data timeout 180 \
    "$root/target/release/borderflow" "$@" --screenshot "$out"
