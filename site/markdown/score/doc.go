// Package score computes tables at build time: score tables (ratings added
// up per column, ranked, with a chart) and formula cells (cells or whole
// columns computed from other cells and named constants). It is a goldmark
// extension; the tables stay ordinary GFM tables, so an article still reads
// as a plain Markdown table on GitHub and on Zenn, which hide the HTML
// comments that hold the instructions.
//
// # Score tables
//
// Put a score comment on the line just above the table's header row (a
// blank line between them is allowed). It gives the scale, then options:
//
//	<!-- score: ◎=3 ○=2 △=1 chart=bar -->
//	| 比較項目 | EKS on EC2 | ECS on Fargate |
//	| :--      | :-:        | :-:            |
//	| 運用コスト | △        | ◎              |
//	| 拡張性   | ◎          | ○(※2)          |
//	|          |            |                |
//	| 総合得点 | 4 点       | 5 点           |
//
// The first column labels the rows (the criteria); every other column is
// rated and gets a total. The items of the comment, separated by spaces:
//
//	SYMBOL=NUMBER   a rating and its value: ◎=3, ✅=1, ⚠=0.5, A=3, Good=2.
//	                Quote a symbol with spaces or that is an option's name: "very good"=3, "total"=1
//	MIN..MAX        numbers from MIN to MAX are ratings themselves: 1..5
//	blank=NUMBER    the value of an empty rating cell (otherwise an empty cell is an error)
//	weight=COLUMN   the column that holds each row's weight (a number); totals are Σ rating × weight
//	ignore=A,B      columns that are not rated, e.g. ignore=備考 (quote a list with spaces: ignore="a b,c")
//	total=LABEL     the label of the total row (default: a last row labelled 合計, 総合得点, 総合,
//	                総計, 合計点, 得点, 計, Total, Sum or Score is the author's total row; kiji
//	                labels a row it adds 合計)
//	best=high|low   whether the highest total (default) or the lowest wins
//	chart=bar|radar draw the totals as bars, or each column's ratings as a radar; none by default
//
// A rating cell holds a symbol (the longest that matches) or a number of
// the range, and may go on with a note: ○(※2), ◎ (see 3). A symbol must not
// run into a word: with A=3, "Apple" is an unknown rating, not A.
// Formatting such as **◎** is read through.
//
// A row whose cells are all empty is a visual separator: it is not rated and
// is left out of the HTML. If the last row is a total row, each total the
// author wrote is checked against the computed one at the written precision
// (13, 13 点 and 13.0 all work; the unit is kept), and empty total cells are
// filled; without a total row, kiji adds one. Each total shows its rank
// (1位, 2位, ties share a rank); the best column's total is bold and carries
// a ★ and its rank in text, so it is not told by colour alone
// (<tr class="score-total">, <td class="score-best">).
//
// Errors, each at file:line:col: an unknown symbol, an empty rating (unless
// blank= is given), a number outside the range, a total that disagrees
// (naming the column, the written and the computed value), and mistakes in
// the comment itself.
//
// # Formula cells
//
// A calc comment above a table computes cells. Statements are separated by
// ";" and each comment stays on one line (Zenn hides only one-line
// comments); use several comments for many statements:
//
//	<!-- calc: let vcpu_hour = 0.04045; let gb_hour = 0.00442 -->
//	<!-- calc: Fargate = vCPU * vcpu_hour + メモリ * gb_hour; "Fargate vs EC2" = Fargate / EC2 - 1 -->
//	| vCPU | メモリ | Fargate     | EC2                     | Fargate vs EC2 |
//	| ---: | -----: | ----------- | ----------------------- | -------------- |
//	|    2 |   4 GB | USD 0.09858 | USD 0.0856（c6g.large） | +15 %          |
//
// The statements:
//
//	let NAME = EXPR           a named constant (from numbers and earlier constants)
//	COLUMN = EXPR             computes every row of COLUMN
//	COLUMN[ROW] = EXPR        computes one cell; ROW is 1 for the first row under the
//	                          header, or a "row label" (the text of the row's first cell)
//	format COLUMN = "PATTERN" how computed numbers are written in empty cells (also COLUMN[ROW])
//
// COLUMN is the header's text; quote it when it is not a plain name:
// "Fargate vs EC2" = …. A calc comment that holds only let statements and
// stands on its own (not above a table) defines constants for all the tables
// after it.
//
// Expressions are expr-lang expressions on numbers only:
//
//	vCPU, メモリ              the same row's cell in that column (headers that are plain names)
//	vcpu_hour                a constant
//	row                      the number of the current row (1, 2, …)
//	col("2024年")            the same row's cell of any column
//	cell("EC2", 2)           any cell, by column and row number or "row label"
//	column("EC2")            the column's numbers, for sum, avg, min and max;
//	column("EC2", 1, 3)      rows 1 to 3 only
//	+ - * / % **, comparisons, and, or, not, cond ? a : b
//	abs, ceil, floor, round(x) or round(x, digits), sqrt, min, max, sum, avg
//
// There is nothing else: no strings as results, no loops, ranges, closures,
// variables, member access or other builtins, so a formula's cost is bounded
// by its size (at most 300 nodes) and the table's, and it cannot reach
// anything but the table's numbers.
//
// A cell read by a formula holds a number: the first number in its text,
// so "USD 0.0856（c6g.large）" is 0.0856, "4 GB" is 4, "1,234 円" is 1234
// and "+15 %" is 0.15 (a percent is a ratio). A digit inside a word (c6g)
// does not count.
//
// A computed cell the author filled in is checked: the written number must
// be the computed one rounded to the written number of decimals (percent in
// percent), and the cell is shown as written. So "USD 0.09858" and "+15 %"
// stay in the Markdown, readable everywhere, and kiji proves them
// (computed cells get class="score-calc"). An empty
// computed cell is filled, written like its format, else like the column's
// first written computed cell, else with up to 6 decimals.
//
// A format is a number written as it should look; 0 is a digit, # an
// optional digit, a comma groups thousands, and a % multiplies by 100:
//
//	"0.00"   3.14         "#,##0 円"   1,234 円      "USD 0.00000"   USD 0.09858
//	"+0 %"   +15 %        "0.0%"       12.5%         "¥#,##0"        ¥188,550
//
// Errors, each at file:line:col: a syntax error (at its column in the
// comment), an unknown name or function, a division by zero, a reference
// to a row or column that does not exist, an empty or non-numeric cell a
// formula reads (at that cell), a cycle, a written value that disagrees
// with the formula (naming both), a formula for an unknown column.
//
// # Charts
//
// chart=bar in a score comment draws the totals as horizontal bars from 0
// to the highest possible total; chart=radar draws each column's ratings
// over the criteria (at least 3 rows), one outline per column told apart by
// dash pattern and marker shape as well as colour, with a legend. The chart
// is inline SVG in a <figure class="score-chart"> right after the table,
// drawn at build time (no JavaScript). It uses currentColor, so it follows
// the page's text colour in light and dark themes; a theme may set
// --kiji-score-bar, --kiji-score-best and --kiji-score-1 … --kiji-score-6.
// It has role="img", an aria-label, a <title> and a <desc> that list every
// value.
//
// Score and calc comments work in lists, blockquotes and :::details blocks:
// the comment must be in the same container, just above the table. Output
// is deterministic.
//
// # Use
//
//	md := goldmark.New(goldmark.WithExtensions(extension.GFM, score.Extension))
//
// Problems go to the diag.Doc attached to the parser context (diag.From).
package score
