#!/bin/bash
# The README's pictures of the report, made from the build: the printed page (a report with every
# optional field, printed by Chromium to PDF, page 1 as PNG by poppler's pdftoppm) and the text
# report as a terminal shows it (a check of the seed database, rendered in a dark <pre>).
#   scripts/screenshots.sh [BUILD]     writes doc/report-page.png and doc/report-text.png
set -eu
b=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
work=$(mktemp -d /tmp/recalld-shots.XXXXXX)
trap 'rm -rf "$work"' EXIT
export TZ=Europe/Berlin
chrome() {
	rm -rf "$work/profile"
	chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --disable-quic \
		--user-data-dir="$work/profile" --no-pdf-header-footer "$@" >/dev/null 2>&1
}

"$b/bin/recall-report" --html --workshop "Autohaus Muster GmbH" tests/host/data/report-full.json \
	>"$work/page.html" || true
chrome --print-to-pdf="$work/page.pdf" "file://$work/page.html"
pdftoppm -png -r 72 -f 1 -l 1 -singlefile "$work/page.pdf" doc/report-page

"$b/bin/recall-check" --vin WBA8E51060K734560 --did 0x12:F18B#120917 --did 0x12:F187=8578466-05 \
	--did 0x12:F189=2.0.4 --ecu 0x12 --db "$b/recalls.rdb" --order 4711 --plate "M-AB 123" \
	>"$work/text.txt" || true
{
	printf '<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
	printf 'body{margin:0;background:#1e1e1e}pre{margin:0;padding:14px 18px;color:#e8e8e8;'
	printf 'font:13px/1.35 "DejaVu Sans Mono",monospace}</style></head><body><pre>'
	sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' "$work/text.txt" | head -n 60
	printf '</pre></body></html>\n'
} >"$work/text.html"
chrome --hide-scrollbars --window-size=880,1040 --screenshot="$top/doc/report-text.png" "file://$work/text.html"
ls -l doc/report-page.png doc/report-text.png
