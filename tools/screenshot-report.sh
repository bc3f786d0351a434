#!/bin/sh
# Screenshots of the rendered demo report at 1280 px width, and a check that
# no table, code block or figure is wider than its column.
#
#   make demo && tools/screenshot-report.sh [report.html] [output directory]
#
# Defaults: probml-report/probml-report.html (what `make demo` writes) and
# tools/screenshots/report/. Needs chromium and python3.
#
# The whole page is cut into tiles of 1280 x TILE_HEIGHT px. Each tile is a
# screenshot of a small wrapper page that shows the report in an iframe
# shifted up by the tile's offset, so the report itself runs no script. The
# width check runs in a temporary copy of the report with a small script
# added. It measures every table, code block and image after layout and
# reports those wider than their parent or than the window. It measures two
# seconds after the page has loaded, because the page's own scripts (the
# floating table of contents) change its layout after the load event. The script
# exits with status 1 if it finds any, after writing the screenshots.
set -eu

html=${1:-probml-report/probml-report.html}
out=${2:-tools/screenshots/report}
width=1280
tile_height=${TILE_HEIGHT:-2400}
chrome=${CHROMIUM:-chromium}

[ -f "$html" ] || { echo "No report at $html: run 'make demo' first." >&2; exit 2; }
html=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

shoot() { # shoot <window height> <png> <url>
  "$chrome" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size="$width,$1" --virtual-time-budget=8000 \
    --screenshot="$2" "$3" 2>/dev/null
}

# 1. Measure the page after layout (a copy with a probe script).
python3 - "$html" "$tmp/probe.html" <<'EOF'
import sys
src, dst = sys.argv[1], sys.argv[2]
probe = """<script>
window.addEventListener("load", function () { setTimeout(function () {
  var out = ["HEIGHT " + document.documentElement.scrollHeight];
  var els = document.querySelectorAll("table, pre, img");
  for (var i = 0; i < els.length; i++) {
    var e = els[i], r = e.getBoundingClientRect(), p = e.parentElement.getBoundingClientRect();
    if (r.right > p.right + 1 || r.right > window.innerWidth || e.scrollWidth > e.clientWidth + 1)
      out.push("OVERFLOW " + e.tagName + " (" + Math.round(r.width) + " px wide, column " +
               Math.round(p.width) + " px): " + (e.textContent || "").replace(/\\s+/g, " ").slice(0, 70));
  }
  var d = document.createElement("div");
  d.id = "probe-result";
  d.setAttribute("data-result", out.join("|"));
  document.body.appendChild(d);
}, 2000); });
</script>"""
s = open(src, encoding="utf-8").read()
i = s.rfind("</body>")
open(dst, "w", encoding="utf-8").write(s[:i] + probe + s[i:])
EOF
"$chrome" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$width,1000" \
  --virtual-time-budget=8000 --dump-dom "file://$tmp/probe.html" 2>/dev/null > "$tmp/dom.html"
result=$(grep -o 'data-result="[^"]*"' "$tmp/dom.html" | sed 's/^data-result="//; s/"$//' | tr '|' '\n')
[ -n "$result" ] || { echo "The probe did not run: no measurements." >&2; exit 2; }
height=$(echo "$result" | sed -n 's/^HEIGHT //p')
overflow=$(echo "$result" | grep '^OVERFLOW' || true)

# 2. A static check that needs no browser: the widest table, in columns.
python3 - "$html" <<'EOF'
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
tables = re.findall(r"<table.*?</table>", s, flags=re.S)
cols = [max((len(re.findall(r"<t[hd][ >]", row)) for row in re.findall(r"<tr.*?</tr>", t, flags=re.S)), default=0)
        for t in tables]
print(f"{len(tables)} tables; the widest has {max(cols, default=0)} columns (row names included)")
EOF

# 3. The tiles.
rm -f "$out"/report-*.png
n=$(( (height + tile_height - 1) / tile_height ))
i=0
while [ "$i" -lt "$n" ]; do
  top=$(( i * tile_height ))
  h=$tile_height
  [ $(( top + h )) -le "$height" ] || h=$(( height - top ))
  cat > "$tmp/tile.html" <<EOF
<!DOCTYPE html><html><head><style>
html, body { margin: 0; padding: 0; overflow: hidden; width: ${width}px; height: ${h}px; }
iframe { position: absolute; left: 0; top: -${top}px; width: ${width}px; height: ${height}px; border: 0; }
</style></head><body><iframe src="file://$html" scrolling="no"></iframe></body></html>
EOF
  png=$(printf '%s/report-%02d.png' "$out" $(( i + 1 )))
  shoot "$h" "$png" "file://$tmp/tile.html"
  i=$(( i + 1 ))
done
echo "Page ${width} x ${height} px: $n screenshots in $out"

if [ -n "$overflow" ]; then
  echo "Elements wider than their column at ${width} px:" >&2
  echo "$overflow" >&2
  exit 1
fi
echo "No table, code block or figure is wider than its column at ${width} px."
