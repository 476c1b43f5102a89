#!/usr/bin/env bash
# Make the Simplified Chinese UI font shipped in assets/fonts/.
#
# usage: scripts/make_cjk_font.sh
#
# Source: Noto Sans CJK SC Regular, the "Noto Sans CJK SC" face of the
# NotoSansCJK-Regular.ttc collection in Debian's fonts-noto-cjk package
# (installed with apt-get if missing). It is subset with fontTools'
# pyftsubset (in a venv under target/font-venv) to:
#   - GB2312: every code point that Python's 'gb2312' codec decodes from the
#     double-byte range (rows 0xA1-0xF7, cells 0xA1-0xFE): its 6 763 hanzi
#     and all its symbols, punctuation, kana, Greek, Cyrillic, box drawing
#     and full-width forms;
#   - CJK symbols and punctuation U+3000-U+303F;
#   - half-width and full-width forms U+FF00-U+FFEF;
#   - Basic Latin and Latin-1 U+0020-U+00FF;
#   - general punctuation U+2000-U+206F;
#   - any hanzi beyond GB2312 that the shipped text uses (assets/**/*.ron,
#     scenarios/**/*.ron, src/**/*.rs): Hong Kong place names such as 红磡.
# Hinting is dropped (egui rasterises with ab_glyph and ignores it), as are
# the vertical-layout tables (vhea, vmtx, VORG: egui lays text horizontally)
# and all name records but IDs 0-6, 13, 14 (copyright, names, version,
# licence). OpenType layout features are pyftsubset's defaults; note that
# the default 'locl' feature pulls in the Japanese, Korean and Traditional
# Chinese glyph variants (about 5 800 glyphs, ~1.2 MB) that neither
# Simplified Chinese text nor egui (which does no shaping) ever uses:
# DROP_FEATURES=locl leaves them out (about 1.6 MB instead of 2.9 MB).
#
# Writes assets/fonts/NotoSansSC-GB2312.otf and assets/fonts/OFL.txt (the
# SIL OFL 1.1 text from the package's copyright file, with the font's own
# copyright notice), then prints the output's size and glyph count and
# checks that its cmap covers every requested character the source has.
#
# Environment: FONTTOOLS_VERSION (default 4.68.0), VENV (default
# target/font-venv), SRC_TTC (default the Debian path below),
# DROP_FEATURES (comma-separated layout features to leave out; default locl:
# egui does no shaping, so the JP/KR/TC variants would only add 1.2 MB).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/target/font-venv}"
FONTTOOLS_VERSION="${FONTTOOLS_VERSION:-4.68.0}"
SRC_TTC="${SRC_TTC:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}"
DEB_COPYRIGHT=/usr/share/doc/fonts-noto-cjk/copyright
FAMILY="Noto Sans CJK SC"
OUT_DIR="$ROOT/assets/fonts"
OUT="$OUT_DIR/NotoSansSC-GB2312.otf"
WORK="$ROOT/target/cjk-font"
UNICODES="$WORK/unicodes.txt"
DROP_FEATURES="${DROP_FEATURES-locl}"

# 1. The source font (Debian's fonts-noto-cjk).
if [[ ! -f "$SRC_TTC" || ! -f "$DEB_COPYRIGHT" ]]; then
  SUDO=""
  if [[ "$(id -u)" != 0 ]]; then SUDO=sudo; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  $SUDO apt-get install -y fonts-noto-cjk
fi
[[ -f "$SRC_TTC" ]] || { echo "error: $SRC_TTC not found" >&2; exit 1; }
PKG_VERSION="$(dpkg-query -W -f='${Version}' fonts-noto-cjk 2>/dev/null || echo unknown)"

# 2. fontTools, pinned, in its own venv.
if [[ ! -x "$VENV/bin/pyftsubset" ]] \
   || ! "$VENV/bin/python" -c "import fontTools, sys; sys.exit(fontTools.version != '$FONTTOOLS_VERSION')" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "fonttools==$FONTTOOLS_VERSION"
fi
PY="$VENV/bin/python"

mkdir -p "$WORK" "$OUT_DIR"

# 3. Which face of the collection is the SC one.
FONT_NUMBER="$("$PY" - "$SRC_TTC" "$FAMILY" <<'EOF'
import sys
from fontTools.ttLib import TTCollection
path, family = sys.argv[1], sys.argv[2]
coll = TTCollection(path, lazy=True)
hits = [i for i, f in enumerate(coll.fonts) if f["name"].getDebugName(1) == family]
if len(hits) != 1:
    sys.exit(f"error: {len(hits)} faces named {family!r} in {path}")
print(hits[0])
EOF
)"
echo "source: $SRC_TTC, face $FONT_NUMBER ($FAMILY), fonts-noto-cjk $PKG_VERSION"

# 4. The code points: GB2312 from Python's codec, plus the fixed ranges.
"$PY" - "$UNICODES" "$ROOT" <<'EOF'
import sys
gb = set()
hanzi = 0
for row in range(0xA1, 0xF8):
    for cell in range(0xA1, 0xFF):
        try:
            ch = bytes((row, cell)).decode("gb2312")
        except UnicodeDecodeError:
            continue
        gb.add(ord(ch))
        if row >= 0xB0:
            hanzi += 1
ranges = [(0x0020, 0x00FF), (0x2000, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFFEF)]
cps = set(gb)
for lo, hi in ranges:
    cps.update(range(lo, hi + 1))
# Hanzi the shipped text uses beyond GB2312 (Hong Kong place names: 磡 in 红磡, Hung Hom).
import pathlib
root = pathlib.Path(sys.argv[2])
beyond = set()
for pattern in ("assets/**/*.ron", "scenarios/**/*.ron", "src/**/*.rs"):
    for path in root.glob(pattern):
        for ch in path.read_text(encoding="utf-8"):
            if 0x4E00 <= ord(ch) <= 0x9FFF and ord(ch) not in cps:
                beyond.add(ord(ch))
cps |= beyond
print("beyond GB2312: " + ("".join(chr(c) for c in sorted(beyond)) or "none"))
with open(sys.argv[1], "w") as f:
    f.write("# GB2312 (Python 'gb2312' codec) + U+0020-00FF, U+2000-206F, U+3000-303F, U+FF00-FFEF + shipped hanzi beyond GB2312\n")
    for cp in sorted(cps):
        f.write(f"U+{cp:04X}\n")
print(f"code points: {len(gb)} from GB2312 ({hanzi} hanzi), {len(cps)} in all")
EOF

# 5. Subset.
extra=()
if [[ -n "$DROP_FEATURES" ]]; then extra+=("--layout-features-=$DROP_FEATURES"); fi
"$VENV/bin/pyftsubset" "$SRC_TTC" ${extra[@]+"${extra[@]}"} \
  --font-number="$FONT_NUMBER" \
  --unicodes-file="$UNICODES" \
  --output-file="$OUT" \
  --no-hinting \
  --drop-tables+=vhea,vmtx,VORG \
  --name-IDs=0,1,2,3,4,5,6,13,14 \
  --name-languages=0x0409 \
  --no-name-legacy

# 6. The licence: the OFL 1.1 text from Debian's copyright file, headed by
#    the copyright notice in the font's own name table.
"$PY" - "$OUT" "$DEB_COPYRIGHT" "$OUT_DIR/OFL.txt" <<'EOF'
import sys
from fontTools.ttLib import TTFont
font_path, deb_path, out_path = sys.argv[1:]
notice = TTFont(font_path)["name"].getDebugName(0)
lines = open(deb_path, encoding="utf-8").read().splitlines()
# the stand-alone licence stanza (not the "License:" field of "Files: *")
start = next(i + 1 for i, l in enumerate(lines[:-1])
             if l == "License: SIL-1.1" and lines[i + 1].startswith(" "))
body = []
for line in lines[start:]:
    if not line.startswith(" "):
        break  # next stanza
    line = line[1:]
    body.append("" if line == "." else line)
while body and not body[-1].strip():
    body.pop()
text = "\n".join(body)
if "SIL OPEN FONT LICENSE Version 1.1" not in text or "DISCLAIMER" not in text:
    sys.exit("error: no SIL OFL 1.1 text found in " + deb_path)
notice = notice.replace("\u00a9", "Copyright").replace("Copyright Copyright", "Copyright")
header = (
    f"{notice}\n"
    "Noto Sans CJK SC Regular; subset of fonts-noto-cjk (Debian), see README.md.\n"
    "\n"
    "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
    "This license is copied below, and is also available with a FAQ at:\n"
    "https://openfontlicense.org\n"
    "\n"
)
with open(out_path, "w", encoding="utf-8") as f:
    f.write(header + text + "\n")
print(f"licence: {out_path}")
EOF

# 7. Report and check.
"$PY" - "$OUT" "$UNICODES" "$SRC_TTC" "$FONT_NUMBER" <<'EOF'
import os, sys
from fontTools.ttLib import TTFont
out, unicodes, src, num = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
font = TTFont(out)
cmap = font.getBestCmap()
src_cmap = TTFont(src, fontNumber=num, lazy=True).getBestCmap()
wanted = [int(l[2:], 16) for l in open(unicodes) if l.startswith("U+")]
in_src = [cp for cp in wanted if cp in src_cmap]
missing = [cp for cp in in_src if cp not in cmap]
size = os.path.getsize(out)
print(f"output: {out}")
print(f"size: {size} bytes ({size / 1e6:.2f} MB, {size / 2**20:.2f} MiB)")
print(f"glyphs: {font['maxp'].numGlyphs}, cmap entries: {len(cmap)}")
print(f"requested {len(wanted)} code points, {len(in_src)} in the source font, "
      f"{len(wanted) - len(in_src)} not in it (unassigned or absent)")
if missing:
    sys.exit("error: missing from output: " + " ".join(f"U+{cp:04X}" for cp in missing[:50]))
print("check: every requested code point the source font has is mapped")
EOF
