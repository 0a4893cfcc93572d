#!/usr/bin/env bash
# Summarises bench/throughput.sh's raw lines (one per segment) into two
# markdown tables: the with / without ratios per load and mode (median and
# interquartile range of the per-pair ratios, so a ratio column is not the
# ratio of the two median columns), and what limited each side (quota use,
# throttled periods, the generator's and everyone else's CPU).
#   bench/throughput-summary.sh bench/out/throughput-raw.txt
# Raw fields: load mode config series seq pair points/s cpu-ns/point
# collector-cores quota-use throttled-share load-cores other-cores loadavg refused
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 RAW" >&2; exit 2; }
awk '
function sort(a, n,   i, j, t) {
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
}
# q: quantile with linear interpolation between order statistics (a sorted, 1-based).
function q(a, n, p,   h, lo) {
	if (n == 0) return 0
	h = (n - 1) * p + 1; lo = int(h)
	return lo >= n ? a[n] : a[lo] + (h - lo) * (a[lo + 1] - a[lo])
}
# ci: the distribution-free ≥ 95 % confidence interval of the median, [x(k), x(n-k+1)] with the
# largest k for which P(Binomial(n, 1/2) < k) ≤ 2.5 % (a sorted); "-" when n is too small (< 6).
function ci(a, n, f,   k, c, pk) {
	c = 0; pk = 0.5 ^ n
	for (k = 0; c + pk <= 0.025; k++) { c += pk; pk = pk * (n - k) / (k + 1) }
	if (k < 1) return "-"
	return sprintf(f "–" f, a[k], a[n - k + 1])
}
function med(a, n) { sort(a, n); return q(a, n, 0.5) }
# spread: "median [q1–q3]" of a copy, sorted.
function spread(a, n, f) { sort(a, n); return sprintf(f " [" f "–" f "] (%s)", q(a, n, 0.5), q(a, n, 0.25), q(a, n, 0.75), ci(a, n, f)) }
{
	k = $1 SUBSEP $2 SUBSEP $4
	if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
	side = $3 == "without" ? "w" : "m"
	pps[k, side, $6] = $7; ns[k, side, $6] = $8; has[k, side, $6] = 1; pairs[k, $6] = 1
	n = ++cnt[k, side]
	cores[k, side, n] = $9; util[k, side, n] = $10; thr[k, side, n] = $11; gen[k, side, n] = $12
	oth[k, ++tot[k]] = $13
	if (!((k, "lamin") in la) || $14 < la[k, "lamin"]) la[k, "lamin"] = $14
	if (!((k, "lamax") in la) || $14 > la[k, "lamax"]) la[k, "lamax"] = $14
	ref[k] += $15
	if ($6 > maxpair[k]) maxpair[k] = $6
}
END {
	print "| load | mode | config | pairs | points/s without | points/s with | throughput with / without, median [IQR] (95 % CI of the median) | CPU ns/point without | CPU ns/point with | CPU per point with / without, median [IQR] (95 % CI) | load average |"
	print "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
	for (i = 1; i <= nk; i++) {
		k = order[i]; split(k, f, SUBSEP)
		n = 0; delete tr; delete cr; delete pw; delete pm; delete nw; delete nm
		for (p = 1; p <= maxpair[k]; p++) {
			if (!((k, "w", p) in has) || !((k, "m", p) in has) || pps[k, "w", p] <= 0 || ns[k, "w", p] <= 0) continue
			n++
			pw[n] = pps[k, "w", p]; pm[n] = pps[k, "m", p]; nw[n] = ns[k, "w", p]; nm[n] = ns[k, "m", p]
			tr[n] = pm[n] / pw[n]; cr[n] = nm[n] / nw[n]
		}
		if (n == 0) continue
		printf "| %s | %s | %s | %d | %.0f | %.0f | %s | %.0f | %.0f | %s | %s–%s |\n", f[1], f[2], f[3], n,
			med(pw, n), med(pm, n), spread(tr, n, "%.3f"), med(nw, n), med(nm, n), spread(cr, n, "%.3f"),
			la[k, "lamin"], la[k, "lamax"]
	}
	print ""
	print "| load | mode | config | collector cores without / with | quota use without / with | periods throttled without / with | load generator cores | other processes, cores | refused points |"
	print "|---|---|---|---:|---:|---:|---:|---:|---:|"
	for (i = 1; i <= nk; i++) {
		k = order[i]; split(k, f, SUBSEP)
		for (s = 1; s <= 2; s++) {
			side = s == 1 ? "w" : "m"; m = cnt[k, side]
			delete a; delete b; delete c; delete d
			nb = 0; nc = 0
			for (j = 1; j <= m; j++) {
				a[j] = cores[k, side, j]; d[j] = gen[k, side, j]
				if (util[k, side, j] != "-") b[++nb] = util[k, side, j]
				if (thr[k, side, j] != "-") c[++nc] = thr[k, side, j]
			}
			mc[s] = sprintf("%.3f", med(a, m)); mg[s] = med(d, m)
			mu[s] = nb ? sprintf("%.3f", med(b, nb)) : "-"
			mt[s] = nc ? sprintf("%.2f", med(c, nc)) : "-"
		}
		m = tot[k]; delete o
		for (j = 1; j <= m; j++) o[j] = oth[k, j]
		printf "| %s | %s | %s | %s / %s | %s / %s | %s / %s | %.2f / %.2f | %.2f | %d |\n", f[1], f[2], f[3],
			mc[1], mc[2], mu[1], mu[2], mt[1], mt[2], mg[1], mg[2], med(o, m), ref[k]
	}
}' "$1"
