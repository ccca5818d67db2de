# bench/chart.gp: the chart of bench/results/, from the data files that
# bench/run.sh writes with bench.chart_compute() and bench.chart_cascade().
set terminal pngcairo size 1400,1100 font "sans,10" noenhanced
set output "chart.png"
set multiplot layout 2,1 title "jsonb_ivm benchmark (bench/run.sh)"

set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top left
set xtics rotate by -35 nomirror
set logscale y 10

set title "Pure compute: speedup of jsonb_ivm per call (document in memory), log scale"
set ylabel "times faster than the contender"
set yrange [0.5:*]
plot "chart_compute.dat" using 2:xtic(1) title "seed native / ivm" lc rgb "#c0504d", \
	'' using 3 title "best native / ivm" lc rgb "#4f81bd", \
	1 with lines dt 2 lc rgb "black" notitle

unset logscale y
set title "Cascade under pgbench: time per DNS server change relative to the rewrite floor (1 = floor)"
set ylabel "time / rewrite floor"
set yrange [0:*]
plot "chart_cascade.dat" using 2:xtic(1) title "seed native" lc rgb "#c0504d", \
	'' using 3 title "best native" lc rgb "#4f81bd", \
	'' using 4 title "jsonb_ivm merge" lc rgb "#9bbb59", \
	'' using 5 title "jsonb_ivm patch" lc rgb "#2e7d32", \
	1 with lines dt 2 lc rgb "black" title "rewrite floor"
unset multiplot
