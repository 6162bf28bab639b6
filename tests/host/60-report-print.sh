#!/bin/bash
# The printable page in a real browser: Debian's Chromium prints recall-report's and
# recall-check's HTML to PDF, and poppler's pdftotext reads the PDF back — the VIN, every
# campaign id, the do-not-drive and park-outside box on the first page, the workshop's name, the
# paper size A4.  Needs no CAN.  Environment: B (build tree), TOP (source).
set -u
B=${B:-build}
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$TOP" || exit 2
case "$B" in /*) ;; *) B="$TOP/$B" ;; esac

for tool in chromium pdftotext pdfinfo; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool missing (scripts/deps.sh test)" >&2; exit 77; }
done
work=$(mktemp -d /tmp/recalld-print.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# print FILE.html FILE.pdf: a fresh profile each time, nothing fetched from anywhere
print() {
	rm -rf "$work/profile"
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --disable-quic \
		--user-data-dir="$work/profile" --no-pdf-header-footer \
		--print-to-pdf="$2" "file://$1" >"$work/chromium.log" 2>&1
	[ -s "$2" ] || { cat "$work/chromium.log" >&2; fail "chromium printed no PDF of $1"; }
}

has() { grep -q -F -- "$2" "$1" || fail "$(basename "$1"): no '$2' in the printed page"; }

export TZ=Europe/Berlin
# 1. a report with every optional field, from a file (recall-report)
"$B/bin/recall-report" --html --workshop "Autohaus Muster GmbH" tests/host/data/report-full.json \
	>"$work/full.html"
[ $? = 1 ] || fail "recall-report: exit status, want 1 (open campaigns)"
print "$work/full.html" "$work/full.pdf"
pdftotext -layout "$work/full.pdf" "$work/full.txt" || fail "pdftotext"
pdftotext -layout -f 1 -l 1 "$work/full.pdf" "$work/page1.txt" || fail "pdftotext page 1"
has "$work/full.txt" "WBA8E51060K734560"
for id in TEST-DND-1 0011700300 6112150100 0032110800 0011120800; do
	has "$work/full.txt" "$id"
done
has "$work/page1.txt" "NICHT FAHREN"
has "$work/page1.txt" "IM FREIEN ABSTELLEN"
has "$work/page1.txt" "Autohaus Muster GmbH"
has "$work/page1.txt" "1 offene Aktion, 1 zu prüfen — Werkstatttermin nötig"
has "$work/page1.txt" "Auftrag"
has "$work/page1.txt" "M-AB 123"
has "$work/full.txt" "Unterschrift"
# the box is the first thing under the heading, before the action line
box=$(grep -n -m1 "NICHT FAHREN" "$work/page1.txt" | cut -d: -f1)
act=$(grep -n -m1 "offene Aktion" "$work/page1.txt" | cut -d: -f1)
[ "$box" -lt "$act" ] || fail "the do-not-drive box is not above the action line"
pdfinfo "$work/full.pdf" >"$work/info" || fail "pdfinfo"
grep -q '^Page size:.*(A4)' "$work/info" || fail "not A4: $(grep 'Page size' "$work/info")"
echo "ok: the full report prints on A4 ($(sed -n 's/^Pages: *//p' "$work/info") pages) with the box"

# 2. the same in English
"$B/bin/recall-report" --html --lang en tests/host/data/report-full.json >"$work/en.html"
print "$work/en.html" "$work/en.pdf"
pdftotext -layout "$work/en.pdf" "$work/en.txt" || fail "pdftotext en"
has "$work/en.txt" "DO NOT DRIVE"
has "$work/en.txt" "PARK OUTSIDE"
has "$work/en.txt" "1 open action, 1 to inspect — workshop appointment needed"
echo "ok: the English page"

# 3. a real check of the seed database (recall-check --html --all): every campaign id
"$B/bin/recall-check" --vin WBA8E51060K734560 --did 0x12:F18B#120917 \
	--did 0x12:F187=8578466-05 --db "$B/recalls.rdb" --all --html --order 4711 --plate "M-AB 123" \
	>"$work/check.html"
print "$work/check.html" "$work/check.pdf"
pdftotext -layout "$work/check.pdf" "$work/check.txt" || fail "pdftotext check"
has "$work/check.txt" "WBA8E51060K734560"
for id in $(sed -n 's/^campaign "\([0-9A-Z-]*\)".*/\1/p' rules/recalls/*.rules); do
	has "$work/check.txt" "$id"
done
has "$work/check.txt" "4711"
echo "ok: recall-check --html of the seed database"
