package modelevent

import (
	"fmt"

	"go.opentelemetry.io/collector/pdata/plog"
)

// Severity is a rule's severity, ordered info < warning < error < critical.
type Severity string

// Severities.
const (
	SeverityInfo     Severity = "info"
	SeverityWarning  Severity = "warning"
	SeverityError    Severity = "error"
	SeverityCritical Severity = "critical"
)

// ParseSeverity returns the severity named s or an error naming the valid ones.
func ParseSeverity(s string) (Severity, error) {
	switch Severity(s) {
	case SeverityInfo, SeverityWarning, SeverityError, SeverityCritical:
		return Severity(s), nil
	}
	return "", fmt.Errorf("unknown severity %q (want info, warning, error or critical)", s)
}

// Rank orders severities: info 1 … critical 4; unknown 0.
func (s Severity) Rank() int {
	switch s {
	case SeverityInfo:
		return 1
	case SeverityWarning:
		return 2
	case SeverityError:
		return 3
	case SeverityCritical:
		return 4
	}
	return 0
}

// Number is the OTel log severity number of s (info 9, warning 13, error 17,
// critical 21).
func (s Severity) Number() plog.SeverityNumber {
	switch s {
	case SeverityInfo:
		return plog.SeverityNumberInfo
	case SeverityWarning:
		return plog.SeverityNumberWarn
	case SeverityError:
		return plog.SeverityNumberError
	case SeverityCritical:
		return plog.SeverityNumberFatal
	}
	return plog.SeverityNumberUnspecified
}
