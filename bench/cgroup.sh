# shellcheck shell=bash
# CPU cgroups (v1 cpu and cpuacct controllers) for the end-to-end benches:
# a CPU quota that makes the collector, not the load generator, the
# bottleneck; a weight (cpu.shares) that keeps other processes on the
# machine from taking the bench's CPU; and the group's CPU time in ns.
# Sourced by bench/throughput.sh; every function is a no-op returning 1 when
# the cgroups are not writable (CI containers, cgroup v2 only), so the caller
# can say so and skip what needs them.
#
#   cg_init PREFIX         → 0 when usable; CG_REASON says why not
#   cg_make NAME           create PREFIX-NAME in both controllers
#   cg_quota NAME QUOTA_US PERIOD_US   (QUOTA_US -1: no limit)
#   cg_shares NAME SHARES
#   cg_exec NAME CMD...    exec CMD inside the group (the runtime starts there,
#                          so Go sizes GOMAXPROCS from the quota)
#   cg_usage NAME          CPU time of the group so far, ns
#   cg_throttle NAME       "periods throttled_periods"
#   cg_cleanup             move stragglers out, remove every group made

CG_CPU=${CG_CPU:-/sys/fs/cgroup/cpu}
CG_ACCT=${CG_ACCT:-/sys/fs/cgroup/cpuacct}
CG_PREFIX=""
CG_REASON=""
CG_MADE=()

cg_init() {
	CG_PREFIX=$1
	local d
	for d in "$CG_CPU" "$CG_ACCT"; do
		if [ ! -f "$d/cgroup.procs" ]; then
			CG_REASON="no cgroup v1 hierarchy at $d"
			return 1
		fi
	done
	[ -f "$CG_CPU/cpu.cfs_quota_us" ] || { CG_REASON="$CG_CPU has no cpu.cfs_quota_us"; return 1; }
	[ -f "$CG_ACCT/cpuacct.usage" ] || { CG_REASON="$CG_ACCT has no cpuacct.usage"; return 1; }
	# The probe is the real test: read-only mounts and missing privileges both show here.
	if ! mkdir "$CG_CPU/$CG_PREFIX-probe" 2>/dev/null; then
		CG_REASON="cannot create a group under $CG_CPU (read-only or not root)"
		return 1
	fi
	rmdir "$CG_CPU/$CG_PREFIX-probe"
	return 0
}

cg_make() {
	local d
	for d in "$CG_CPU" "$CG_ACCT"; do
		[ -d "$d/$CG_PREFIX-$1" ] && continue
		mkdir "$d/$CG_PREFIX-$1" || return 1
		CG_MADE+=("$d/$CG_PREFIX-$1")
	done
}

cg_quota() {
	echo "$3" >"$CG_CPU/$CG_PREFIX-$1/cpu.cfs_period_us" &&
		echo "$2" >"$CG_CPU/$CG_PREFIX-$1/cpu.cfs_quota_us"
}

cg_shares() { echo "$2" >"$CG_CPU/$CG_PREFIX-$1/cpu.shares"; }

cg_exec() {
	local name=$1
	shift
	# $$ of the inner shell is the pid that exec keeps.
	exec sh -c 'echo $$ >"$1/cgroup.procs" && echo $$ >"$2/cgroup.procs" && shift 2 && exec "$@"' \
		sh "$CG_CPU/$CG_PREFIX-$name" "$CG_ACCT/$CG_PREFIX-$name" "$@"
}

cg_usage() { cat "$CG_ACCT/$CG_PREFIX-$1/cpuacct.usage"; }

cg_throttle() {
	awk '$1 == "nr_periods" {p = $2} $1 == "nr_throttled" {t = $2} END {print p + 0, t + 0}' \
		"$CG_CPU/$CG_PREFIX-$1/cpu.stat"
}

cg_cleanup() {
	local d pid i
	# Newest first; a group only goes once it holds no task.
	for ((i = ${#CG_MADE[@]} - 1; i >= 0; i--)); do
		d=${CG_MADE[i]}
		[ -d "$d" ] || continue
		while read -r pid; do
			echo "$pid" >"$(dirname "$d")/cgroup.procs" 2>/dev/null || true
		done <"$d/cgroup.procs"
		rmdir "$d" 2>/dev/null || echo "cgroup: could not remove $d" >&2
	done
	CG_MADE=()
}
