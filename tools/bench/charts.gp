# SPDX-License-Identifier: Apache-2.0
# The PNG charts of tools/bench/run.sh. Variables: small and large (data
# files of tools/bench/plotdata.jq), scale (the scale series, see the last
# chart), tcp (loopback MB/s), out (directory).
# Columns: 1 name, 2-3 IOPS, 4-5 MB/s, 6-7 p50 us, 8-9 p99 us,
# 10-11 server CPU us/IO, 12-13 client CPU us/IO; ctgt then tgt.
set terminal pngcairo size 900,500 noenhanced
set datafile missing "?"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics
set key below
set xtics rotate by -20
set yrange [0:*]

set output out."/iops.png"
set title "4 KiB IOPS (higher is better)"
plot small using 2:xtic(1) title "ctgt", "" using 3 title "tgt"

set output out."/latency.png"
set title "4 KiB latency, microseconds (lower is better)"
plot small using 6:xtic(1) title "ctgt p50", "" using 7 title "tgt p50", \
     "" using 8 title "ctgt p99", "" using 9 title "tgt p99"

set output out."/cpu.png"
set title "CPU microseconds per 4 KiB I/O (lower is better)"
plot small using 10:xtic(1) title "ctgt server", "" using 11 title "tgt server", \
     "" using 12 title "client with ctgt", "" using 13 title "client with tgt"

set output out."/throughput.png"
set title sprintf("1 MiB sequential MB/s; line: loopback TCP %.0f MB/s", tcp)
set yrange [0:tcp * 1.15]
plot large using 4:xtic(1) title "ctgt", "" using 5 title "tgt", \
     tcp with lines lw 2 title "loopback TCP"

# The scale series (variable scale: columns 1 sessions, 2 ctgt IOPS, 3 tgt
# IOPS): IOPS by sessions, one line per target.
set output out."/scale.png"
set title "4 KiB random read, depth 16 per session: IOPS by sessions (flat or rising is good)"
set style data linespoints
set logscale x 2
set xtics rotate by 0
set xlabel "sessions"
set ylabel "IOPS"
set yrange [0:*]
set xrange [0.8:80]
set xtics (1, 4, 16, 64)
plot scale using 1:2 title "ctgt" lw 2 pt 7, "" using 1:3 title "tgt" lw 2 pt 5
