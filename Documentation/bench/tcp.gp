set terminal svg size 900,480 dynamic enhanced font 'sans,11'
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.6 border -1
set xtics rotate by -35 left nomirror
set grid ytics
set yrange [0:*]
set key top left
set bmargin 7
set output 'tcp.svg'
set title "TCP throughput through the router (iperf3, GRO on)\n6.12.117+deb13-cloud-amd64, TCG; median and min-max over the rounds"
set ylabel 'Mbit/s'
plot 'tcp.dat' using 2:3:4:xtic(1) title '1 stream' lc rgb '#4477aa', '' using 5:6:7 title '4 streams' lc rgb '#ee6677'
