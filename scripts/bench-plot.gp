# SPDX-License-Identifier: GPL-2.0-only
# gnuplot -e "datafile='...'; outfile='...'; kver='...'[; cols='2 3 ...']" scripts/bench-plot.gp
# Bars: each provider's speed relative to ours-system (1 = the same speed,
# below 1 = slower than ours), one group per benchmark row.
set terminal pngcairo size 1400,700 font ",10"
set output outfile
set title sprintf("dmabuf-bench under QEMU TCG, kernel %s: speed relative to ours-system (higher is faster)", kver)
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set logscale y 2
set yrange [0.03:32]
set ylabel "speed relative to ours-system (log scale)"
set xtics rotate by -35 scale 0
set key outside right top
set grid ytics
# cols: the data columns to draw (2-7, default all); a provider the kernel
# lacks (no heap-system on arm64) has no valid point and is left out.
if (!exists("cols")) cols = "2 3 4 5 6 7"
names = "row ours-system ours-uncached ours-contig heap-system udmabuf anon"
plot for [c in cols] datafile using (column(int(c))):xtic(1) title word(names, int(c)), \
     1 with lines lw 2 lc rgb "black" notitle
