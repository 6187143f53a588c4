#!/bin/sh
# Regenerates the two font subsets that kiji embeds to draw the OpenGraph
# images (site/ogimage). Not run by builds or CI: the output is
# committed. Needs Debian's fonts-noto-cjk, fonts-symbola and
# python3-fonttools (apt-get install fonts-noto-cjk fonts-symbola
# python3-fonttools); run it from this folder.
#
#   NotoSansCJKjp-Bold.subset.otf  Noto Sans CJK JP Bold (SIL OFL 1.1), cut
#                                  down to every character of cp932 (JIS X
#                                  0208 levels 1 and 2, NEC and IBM
#                                  extensions) plus Latin, punctuation,
#                                  arrows, box drawing, enclosed numbers and
#                                  full-width forms: ~2 MB instead of 16 MB.
#   Symbola.emoji.ttf              Symbola (free for any use, redistribution
#                                  allowed) cut down to the emoji blocks:
#                                  monochrome emoji up to Unicode 9.0.
set -eu
PY=/usr/bin/python3
NOTO=/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc
SYMBOLA=/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$PY" - >"$tmp" <<'PYEOF'
cps = set()
for hi in list(range(0x81, 0xA0)) + list(range(0xE0, 0xFD)):
    for lo in list(range(0x40, 0x7F)) + list(range(0x80, 0xFD)):
        try:
            s = bytes([hi, lo]).decode('cp932')
        except UnicodeDecodeError:
            continue
        cps.update(ord(c) for c in s)
for a, b in [(0x20, 0x7E), (0xA0, 0x17F), (0x2010, 0x206F), (0x20AC, 0x20AC),
             (0x2100, 0x218F), (0x2190, 0x21FF), (0x2200, 0x22FF), (0x2460, 0x24FF),
             (0x2500, 0x257F), (0x25A0, 0x25FF), (0x3000, 0x30FF), (0x31F0, 0x31FF),
             (0x3200, 0x33FF), (0xFF00, 0xFFEF)]:
    cps.update(range(a, b + 1))
print('\n'.join('U+%04X' % c for c in sorted(cps)))
PYEOF
# Font 0 of the collection is the JP one. No layout tables: kiji draws
# titles glyph by glyph (x/image applies no GSUB/GPOS), and no hints (CFF
# hints are not used by x/image's rasterizer). All name records stay, so the
# copyright and licence travel inside the file as OFL 2) asks.
"$PY" -m fontTools.subset "$NOTO" --font-number=0 --unicodes-file="$tmp" \
	--layout-features='' --no-hinting --name-IDs='*' \
	--drop-tables+=GSUB,GPOS,VORG,vhea,vmtx \
	--output-file=NotoSansCJKjp-Bold.subset.otf
"$PY" -m fontTools.subset "$SYMBOLA" \
	--unicodes='U+00A9,U+00AE,U+203C,U+2049,U+2122,U+2139,U+2194-21AA,U+231A-231B,U+2328,U+23CF-23FA,U+24C2,U+25AA-25FE,U+2600-27BF,U+2934-2935,U+2B05-2B55,U+3030,U+303D,U+3297,U+3299,U+1F000-1FAFF' \
	--layout-features='' --no-hinting --name-IDs='*' \
	--drop-tables+=GSUB,GPOS,GDEF \
	--output-file=Symbola.emoji.ttf
