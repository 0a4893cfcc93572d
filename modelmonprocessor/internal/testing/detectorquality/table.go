package main

import (
	"fmt"
	"strings"
)

func printHeader() {
	cols := []string{"strategy"}
	for _, s := range stationary {
		cols = append(cols, "FA/10k "+s.Name)
	}
	for _, c := range changes {
		cols = append(cols, c.Name+" med/p90")
	}
	cols = append(cols, "missed 1σ/2σ/3σ/decay")
	fmt.Println("| " + strings.Join(cols, " | ") + " |")
	fmt.Println(strings.Repeat("|---", len(cols)) + "|")
}

func printRow(name string, fa []float64, delays []delayStats, seeds int) {
	cols := []string{name}
	for _, v := range fa {
		cols = append(cols, fmt.Sprintf("%.2f", v))
	}
	var missed []string
	for _, d := range delays {
		cols = append(cols, fmtDelay(d.median)+" / "+fmtDelay(d.p90))
		missed = append(missed, fmt.Sprintf("%d", d.missed))
	}
	cols = append(cols, strings.Join(missed, "/")+fmt.Sprintf(" of %d", seeds))
	fmt.Println("| " + strings.Join(cols, " | ") + " |")
}

func fmtDelay(d int) string {
	if d == 0 {
		return fmt.Sprintf(">%d", horizon)
	}
	return fmt.Sprintf("%d", d)
}
