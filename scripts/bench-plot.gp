# SPDX-License-Identifier: GPL-2.0-only
# gnuplot -e "datafile='...'; outfile='...'; kver='...'" scripts/bench-plot.gp
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
plot datafile using 2:xtic(1) title "ours-system", \
     '' using 3 title "ours-uncached", \
     '' using 4 title "ours-contig", \
     '' using 5 title "heap-system", \
     '' using 6 title "udmabuf", \
     '' using 7 title "anon", \
     1 with lines lw 2 lc rgb "black" notitle
