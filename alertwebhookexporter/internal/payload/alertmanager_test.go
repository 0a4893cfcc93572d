package payload

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestAlertmanagerTimes: whatever the producer's clock, Alertmanager gets a
// startsAt no later than endsAt, and a resolution that is already over on
// its own clock.
func TestAlertmanagerTimes(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	resend := time.Minute
	tests := []struct {
		name                 string
		starts, ends         time.Time
		wantStarts, wantEnds time.Time
	}{
		{"firing, data behind", now.Add(-2 * time.Minute), time.Time{}, now.Add(-2 * time.Minute), now.Add(4 * resend)},
		{"firing, data ahead", now.Add(15 * time.Second), time.Time{}, now, now.Add(4 * resend)},
		{"resolved, data behind", now.Add(-3 * time.Minute), now.Add(-2 * time.Minute), now.Add(-3 * time.Minute), now.Add(-2 * time.Minute)},
		{"resolved, data ahead", now.Add(5 * time.Second), now.Add(15 * time.Second), now, now},
		{"resolved, ends ahead only", now.Add(-time.Minute), now.Add(15 * time.Second), now.Add(-time.Minute), now},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, e := amTimes(&Alert{StartsAt: tt.starts, EndsAt: tt.ends}, now, resend)
			assert.Equal(t, tt.wantStarts, s)
			assert.Equal(t, tt.wantEnds, e)
			assert.False(t, e.Before(s), "startsAt <= endsAt")
		})
	}
}
