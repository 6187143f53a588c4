#!/bin/sh
# Regenerates the two font subsets that kiji embeds to draw the OpenGraph
# images (site/ogimage). Not run by builds or CI: the output is
# committed. Needs Debian's fonts-noto-cjk, python3-fonttools,
# libharfbuzz-bin and unicode-data (apt-get install fonts-noto-cjk
# python3-fonttools libharfbuzz-bin unicode-data) and npm (Noto Emoji comes
# from the npm registry as @fontsource/noto-emoji); run it from this folder.
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
#   NotoEmoji-Bold.sequences.txt   the emoji sequences (keycaps, flags, ZWJ)
#                                  that Noto Emoji's GSUB draws as one
#                                  glyph, each with the character that now
#                                  reaches that glyph through the cmap: its
#                                  own, or one of plane 15's private use.
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
# Bold, as the titles are: its strokes match theirs. kiji draws the emoji
# as one glyph and applies no GSUB, so the sequences that GSUB turns into
# one glyph are found here instead: each sequence of Unicode's emoji-test
# list and each ligature of the font is shaped by HarfBuzz, and one that
# gives one glyph goes to NotoEmoji-Bold.sequences.txt, its glyph into the
# cmap (at U+F0000 on when no character has it). Then no layout tables, no
# hints; written as plain TrueType.
(cd "$pkg" && npm pack --silent "$EMOJI" >/dev/null && tar xzf ./*.tgz)
"$PY" - "$pkg" <<'PYEOF'
import re, subprocess, sys
from fontTools.ttLib import TTFont
pkg = sys.argv[1]
font = TTFont(pkg + '/package/files/noto-emoji-emoji-700-normal.woff', recalcTimestamp=False)
font.flavor = None
font.save(pkg + '/full.ttf')
order, cmap = font.getGlyphOrder(), font.getBestCmap()
glyph_cp = {}
for cp, g in sorted(cmap.items()):
    glyph_cp.setdefault(g, cp)
# Unicode's sequences, then the font's ligatures (some newer than the
# list) unless they are one of those backwards.
cands = []
for line in open('/usr/share/unicode/emoji/emoji-test.txt', encoding='utf-8'):
    m = re.match(r'^([0-9A-F ]+?)\s*;', line)
    if m and ' ' in m.group(1):
        cands.append(''.join(chr(int(c, 16)) for c in m.group(1).split()))
known = set(cands)
for lookup in font['GSUB'].table.LookupList.Lookup:
    for st in lookup.SubTable:
        st = getattr(st, 'ExtSubTable', st)
        for first, ligs in sorted(getattr(st, 'ligatures', {}).items()):
            for lig in ligs:
                comps = [first] + lig.Component
                if all(c in glyph_cp for c in comps):
                    s = ''.join(chr(glyph_cp[c]) for c in comps)
                    if s not in known and s[::-1] not in known:
                        known.add(s)
                        cands.append(s)
with open(pkg + '/cands.txt', 'w', encoding='utf-8') as f:
    f.write('\n'.join(cands) + '\n')
shaped = subprocess.run(['hb-shape', '--no-glyph-names', '--no-positions', '--no-clusters',
                         '--text-file=' + pkg + '/cands.txt', pkg + '/full.ttf'],
                        check=True, capture_output=True, text=True).stdout.split('\n')
# What kiji leaves out before it looks a sequence up.
dropped = lambda cp: cp in (0xFE0E, 0xFE0F) or 0x1F3FB <= cp <= 0x1F3FF
blank = {font.getGlyphID('space'), font.getGlyphID(cmap[0xFE0F])}
seqs = {}  # key -> (had a modifier, glyph)
for text, out in zip(cands, shaped):
    gids = [int(g) for g in out.strip('[]').split('|') if int(g) not in blank]
    key = tuple(ord(c) for c in text if not dropped(ord(c)))
    mod = len(key) != len(text)
    if len(key) > 1 and len(gids) == 1 and (key not in seqs or seqs[key][0] and not mod):
        seqs[key] = (mod, order[gids[0]])
pua, lines = 0xF0000, []
for key in sorted(seqs):
    g = seqs[key][1]
    if g not in glyph_cp:
        glyph_cp[g] = pua
        for t in font['cmap'].tables:
            if t.isUnicode() and t.format == 12:
                t.cmap[pua] = g
        pua += 1
    lines.append(' '.join('%X' % c for c in (glyph_cp[g],) + key))
font.save(pkg + '/seq.ttf')
with open('NotoEmoji-Bold.sequences.txt', 'w') as f:
    f.write('# Made by subset.sh. Each line: the character of NotoEmoji-Bold.ttf that\n'
            '# draws an emoji sequence, then the sequence without its variation\n'
            '# selectors and skin-tone modifiers, all in hex.\n')
    f.write('\n'.join(lines) + '\n')
PYEOF
"$PY" -m fontTools.subset "$pkg/seq.ttf" \
	--unicodes='*' --layout-features='' --no-hinting --name-IDs='*' \
	--drop-tables+=GSUB,GPOS,GDEF,STAT,vhea,vmtx \
	--output-file=NotoEmoji-Bold.ttf
