# SPDX-License-Identifier: GPL-2.0-only
# spmlt-lib.sh - sourced by the SPML guest tests (tests/system/spml.test,
# /opt/ooh/tests/*-spml-* in the domU).  Coordination with the dom0 script
# spmlt-dom0:
#   domU -> dom0: a console line "SPMLT-SIGNAL NAME" (dom0 watches the
#                 domU console log that xenconsoled writes);
#   dom0 -> domU: a "mailbox" file NAME served by busybox httpd in dom0
#                 (http://10.0.0.1:8080/NAME), polled with wget.
failed=0
spmlt_fail() { echo "FAIL: $*"; failed=1; }
spmlt_pass() { echo "PASS: $*"; }
spmlt_check() { # DESCRIPTION COMMAND...
	d=$1; shift
	if "$@"; then spmlt_pass "$d"; else spmlt_fail "$d"; fi
}
spmlt_now() { cut -d' ' -f1 /proc/uptime; }
spmlt_since() { awk -v a="$1" -v b="$(spmlt_now)" 'BEGIN { printf "%.1f", b - a }'; }
spmlt_signal() { echo "SPMLT-SIGNAL $1"; }
# spmlt_mbox NAME SECONDS: print mailbox NAME once dom0 has posted it
spmlt_mbox() {
	_n=0
	while [ "$_n" -lt "$2" ]; do
		if timeout 10 wget -q -O /tmp/mbox.$1 "http://10.0.0.1:8080/$1" 2>/dev/null; then
			cat /tmp/mbox.$1
			return 0
		fi
		sleep 1; _n=$((_n + 1))
	done
	return 1
}
# spmlt_hostile GRANTED: load the hostile-input module, print its verdicts,
# unload it; fails unless every case passed and at least one ran
spmlt_hostile() {
	dmesg -c > /dev/null
	shinfo=$(awk '$3 == "HYPERVISOR_shared_info" { print $1; exit }' /proc/kallsyms)
	# max_frames: the spml boot runs Xen with spml_max_frames=512
	# (tests/system/unittests.cfg)
	if ! insmod /opt/ooh/modules/ooh_spml_hostile.ko granted="$1" max_frames=512 \
		${shinfo:+shinfo_var=0x$shinfo}; then
		spmlt_fail "insmod ooh_spml_hostile granted=$1"
		return
	fi
	dmesg | grep 'ooh_spml_hostile:' | sed 's/^\[[ 0-9.]*\] //'
	rmmod ooh_spml_hostile
	sum=$(dmesg | sed -n 's/.*ooh_spml_hostile: summary //p' | tail -n 1)
	pass=$(echo "$sum" | sed -n 's/.*pass=\([0-9]*\).*/\1/p')
	nfail=$(echo "$sum" | sed -n 's/.*fail=\([0-9]*\).*/\1/p')
	if [ -n "$pass" ] && [ "$pass" -gt 0 ] && [ "$nfail" = 0 ]; then
		spmlt_pass "hostile inputs (granted=$1): $pass cases rejected/handled as documented"
	else
		spmlt_fail "hostile inputs (granted=$1): ${sum:-no summary line}"
	fi
}
