#!/bin/sh
# The anomaly detector on ADFA-LD (docs/anomaly.md): builds the evaluation
# and prints its tables.  The dataset is not part of the repository:
#
#   bench/anomaly/run.sh [DIR]    DIR holds train_data.csv and test_data.csv
#                                 (default ../shared/datasets/adfa-ld)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIR=${1:-$ROOT/../shared/datasets/adfa-ld}
[ -f "$DIR/train_data.csv" ] && [ -f "$DIR/test_data.csv" ] || {
	echo "anomaly: no ADFA-LD in $DIR (train_data.csv, test_data.csv)" >&2
	exit 1
}
make -C "$ROOT" --no-print-directory build/adfa_eval >/dev/null
exec "$ROOT/build/adfa_eval" "$DIR/train_data.csv" "$DIR/test_data.csv"
