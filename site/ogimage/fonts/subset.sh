#!/bin/sh
# Regenerates the two font subsets that kiji embeds to draw the OpenGraph
# images (site/ogimage). Not run by builds or CI: the output is
# committed. Needs Debian's fonts-noto-cjk and python3-fonttools
# (apt-get install fonts-noto-cjk python3-fonttools) and npm (Noto Emoji
# comes from the npm registry as @fontsource/noto-emoji); run it from this
# folder.
#
#   NotoSansCJKjp-Bold.subset.otf  Noto Sans CJK JP Bold (SIL OFL 1.1), cut
#                                  down to every character of cp932 (JIS X
#                                  0208 levels 1 and 2, NEC and IBM
#                                  extensions) plus Latin, punctuation,
#                                  arrows, box drawing, enclosed numbers and
#                                  full-width forms: ~2 MB instead of 16 MB.
#   NotoEmoji-Bold.ttf             Noto Emoji Bold 3.006 (SIL OFL 1.1), the
#                                  monochrome emoji font: every emoji up to
#                                  Unicode 16.0, ~0.8 MB. @fontsource ships
#                                  it as WOFF (x/image reads only TrueType
#                                  and OpenType) split by unicode-range; its
#                                  "emoji" file holds every character of the
#                                  others, so no merge is needed.
set -eu
PY=/usr/bin/python3
NOTO=/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc
EMOJI=@fontsource/noto-emoji@5.3.2
tmp=$(mktemp)
pkg=$(mktemp -d)
trap 'rm -rf "$tmp" "$pkg"' EXIT
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
# Bold, as the titles are: its strokes match theirs. Every character, no
# layout tables (kiji draws the emoji as one glyph, skin-tone modifiers
# and variation selectors dropped), so the glyphs only GSUB reaches
# (sequences) go too. Written as plain TrueType.
(cd "$pkg" && npm pack --silent "$EMOJI" >/dev/null && tar xzf ./*.tgz)
"$PY" -m fontTools.subset "$pkg/package/files/noto-emoji-emoji-700-normal.woff" \
	--unicodes='*' --layout-features='' --no-hinting --name-IDs='*' \
	--drop-tables+=GSUB,GPOS,GDEF,STAT,vhea,vmtx --flavor= \
	--output-file=NotoEmoji-Bold.ttf
