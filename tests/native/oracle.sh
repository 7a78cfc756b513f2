# SPDX-License-Identifier: GPL-2.0-only
# Shared by tests/native/oracle-*.test: run ooh-oracle and require its
# last line to say missed=0 (exit 77 passes a skip through).
# The seed: $OOH_SEED when set (replay a failure: OOH_SEED=N tests/run -k
# oracle), else drawn at random, never 0 (ooh-oracle refuses 0).  It is
# printed first, and ooh-oracle's last line repeats it (seed=N).
bin=$(cd "$(dirname "$0")/../.." && pwd)/build/bin
seed=${OOH_SEED:-$((RANDOM % 32767 + 1))}
echo "seed=$seed (replay: OOH_SEED=$seed tests/run -k oracle)"
run_oracle() {
	out=$("$bin/ooh-oracle" "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	[ $rc -eq 77 ] && exit 77
	last=$(printf '%s\n' "$out" | tail -n 1)
	case $last in
	"oracle: "*" missed=0 "*) [ $rc -eq 0 ] || exit 1 ;;
	*) echo "FAIL: $last"; exit 1 ;;
	esac
}
