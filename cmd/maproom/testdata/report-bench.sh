#!/usr/bin/env bash
# report-bench.sh measures `maproom report` end to end, as a user runs it,
# over the synthetic site of issue 4's benchmark: 1,000 deals (8
# stakeholders, 3 documents each) with a beacon log of 1,000,000 events, and
# the same deals with 2,000,000 events (the same traffic over twice the
# days), to show that memory is bounded by deals and stakeholders, not by
# events.
#
#	cmd/maproom/testdata/report-bench.sh [-n REPS] [-f FORMAT] [-w WORKDIR] [BINARY ...]
#
# The sites are written once (internal/testkit/synthsite -events: the plans,
# the log writer of the analytics benchmark and the room manifest a build
# would write); later runs reuse them. Each repetition runs every binary once per site,
# interleaved, so a slower minute of a shared machine hurts them alike;
# each run's wall time and peak RSS come from /usr/bin/time. Without a
# BINARY it builds ./cmd/maproom from the work tree. -f is the report's
# -format (default json; the command's own default is table). It prints
# each run, then per binary and site the median wall time and peak RSS.
set -euo pipefail

reps=7
format=json
work=${TMPDIR:-/tmp}/maproom-report-bench
while getopts n:f:w: opt; do
	case $opt in
	n) reps=$OPTARG ;;
	f) format=$OPTARG ;;
	w) work=$OPTARG ;;
	*) echo "usage: $0 [-n REPS] [-f FORMAT] [-w WORKDIR] [BINARY ...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
repo=$(cd "$(dirname "$0")/../../.." && pwd)
today=2027-03-01
mkdir -p "$work"

bins=("$@")
if [ ${#bins[@]} -eq 0 ]; then
	(cd "$repo" && go build -o "$work/maproom" ./cmd/maproom)
	bins=("$work/maproom")
fi

for n in 1000000 2000000; do
	site=$work/site-$n
	if [ ! -f "$site/.maproom/rooms.json" ]; then
		rm -rf "$site"
		(cd "$repo" && go run ./internal/testkit/synthsite -out "$site" -deals 1000 -events $n -today $today)
	fi
done

results=$work/results.txt
: >"$results"
for rep in $(seq "$reps"); do
	for n in 1000000 2000000; do
		for i in "${!bins[@]}"; do
			bin=${bins[$i]}
			/usr/bin/time -o "$work/time.txt" -f '%e %M' "$bin" report -root "$work/site-$n" -today $today -format $format >"$work/out-$i.$format" 2>"$work/err.txt"
			m=$(cat "$work/time.txt")
			echo "$rep $n $i $m" | tee -a "$results"
		done
	done
done

echo "-format $format, median over $reps runs (wall s, peak RSS KB):"
for n in 1000000 2000000; do
	for i in "${!bins[@]}"; do
		s=$(awk -v n=$n -v i=$i '$2==n && $3==i {print $4}' "$results" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
		k=$(awk -v n=$n -v i=$i '$2==n && $3==i {print $5}' "$results" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
		printf '%8d events  %-40s  %6s s  %8s KB\n' $n "${bins[$i]}" "$s" "$k"
	done
done
