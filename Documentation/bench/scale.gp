set terminal svg size 900,480 dynamic enhanced font 'sans,11'
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.6 border -1
set xtics rotate by -35 left nomirror
set grid ytics
set yrange [0:*]
set key top left
set bmargin 7
set output 'scale.svg'
set title "NAT64: router vCPU time per packet of one flow with 1k, 10k, 100k live sessions (lower is better)\n6.12.117+deb13-cloud-amd64, TCG; median and min-max over the rounds"
set ylabel 'ns per packet (router vCPU)'
plot 'scale.dat' using 2:3:4:xtic(1) title 'ns/pkt' lc rgb '#228833'
