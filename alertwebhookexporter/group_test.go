package alertwebhookexporter

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// alertOf returns a firing event of rule for model name:version.
func alertOf(eventID, rule, name, version string) modelevent.Violation {
	v := firing(eventID)
	v.Rule = rule
	v.ModelKey = []modelevent.Attribute{{Key: modelevent.AttrModelName, Value: name}, {Key: modelevent.AttrModelVersion, Value: version}}
	v.AlertID = modelevent.AlertID(rule, v.ModelKey)
	return v
}

func TestGrouping(t *testing.T) {
	srv := newRecorder(t, 200)
	cfg := testConfig(srv.URL, FormatJSON)
	cfg.GroupBy = []string{"model.name"}
	cfg.GroupWait = 30 * time.Second
	cfg.GroupInterval = 5 * time.Minute
	cfg.MaxAlerts = 2
	clock := &fakeClock{now: t0}
	e := startExporter(t, cfg, clock, nil)
	ctx := context.Background()
	sent := func() int { return len(srv.requests()) }

	a := alertOf("ev-a", "accuracy_low", "fraud-model", "v7")
	require.NoError(t, e.pushLogs(ctx, logs(a)))
	clock.Add(10 * time.Second)
	require.NoError(t, e.pushLogs(ctx, logs(
		alertOf("ev-b", "latency_high", "fraud-model", "v7"),
		alertOf("ev-c", "drift", "fraud-model", "v8"),
		alertOf("ev-d", "accuracy_low", "churn-model", "v1"),
	)))
	clock.Add(19 * time.Second)
	e.tick(ctx)
	assert.Equal(t, 0, sent(), "group_wait not over")

	clock.Add(time.Second)
	e.tick(ctx)
	require.Equal(t, 1, sent(), "the fraud-model group after group_wait")
	msg := srv.bodies(t)[0].(map[string]any)
	assert.Equal(t, map[string]any{"model_name": "fraud-model"}, msg["groupLabels"])
	assert.Len(t, msg["alerts"], 2, "max_alerts")
	assert.EqualValues(t, 1, msg["truncatedAlerts"])
	assert.Equal(t, "fraud-model", msg["commonLabels"].(map[string]any)["model_name"])
	assert.NotContains(t, msg["commonLabels"], "alertname", "the alerts differ in rule")

	clock.Add(10 * time.Second)
	e.tick(ctx)
	require.Equal(t, 2, sent(), "the churn-model group, created 10s later")
	assert.Equal(t, map[string]any{"model_name": "churn-model"}, srv.bodies(t)[1].(map[string]any)["groupLabels"])

	// A resolution waits for group_interval after the group's last notification.
	res := a
	res.EventID, res.State, res.Time = "ev-a-res", modelevent.StateResolved, t0.Add(time.Minute)
	clock.Add(time.Minute)
	require.NoError(t, e.pushLogs(ctx, logs(res)))
	assert.Equal(t, 2, sent())
	clock.Add(3 * time.Minute) // 4m10s after the group's notification
	e.tick(ctx)
	assert.Equal(t, 2, sent(), "group_interval not over")
	clock.Add(time.Minute)
	e.tick(ctx)
	require.Equal(t, 3, sent())
	msg = srv.bodies(t)[2].(map[string]any)
	assert.Equal(t, "firing", msg["status"], "two alerts still fire")
	statuses := map[string]string{}
	for _, x := range msg["alerts"].([]any) {
		al := x.(map[string]any)
		statuses[al["labels"].(map[string]any)["alertname"].(string)] = al["status"].(string)
	}
	assert.Equal(t, map[string]string{"latency_high": "firing", "drift": "firing"}, statuses,
		"firing alerts first; the resolved one was cut by max_alerts")
	assert.EqualValues(t, 1, msg["truncatedAlerts"])

	// Nothing changed: the group repeats after repeat_interval only.
	clock.Add(time.Hour)
	e.tick(ctx)
	assert.Equal(t, 3, sent())
	clock.Add(3 * time.Hour)
	e.tick(ctx)
	assert.Equal(t, 5, sent(), "both groups repeat after 4h")
}

func TestGroupWaitZeroSendsWithTheBatch(t *testing.T) {
	srv := newRecorder(t, 200)
	cfg := testConfig(srv.URL+"/s", FormatSlack)
	cfg.GroupBy = []string{"..."}
	cfg.GroupWait = 0
	e := startExporter(t, cfg, &fakeClock{now: t0}, nil)
	require.NoError(t, e.pushLogs(context.Background(), logs(firing("ev-1"))))
	assert.Len(t, srv.requests(), 1)
}

func TestGroupsSurviveRestart(t *testing.T) {
	srv := newRecorder(t, 200)
	cfg := testConfig(srv.URL, FormatJSON)
	cfg.GroupBy = []string{"model.name"}
	cfg.GroupWait = 30 * time.Second
	id := fileStorageID
	cfg.Storage = &id
	dir := t.TempDir()
	clock := &fakeClock{now: t0}
	ctx := context.Background()
	sent := func() int { return len(srv.requests()) }

	// Accepted into a group, then the collector stops before group_wait is over.
	runWithStorage(t, dir, cfg, clock, func(e *alertExporter) {
		require.NoError(t, e.pushLogs(ctx, logs(alertOf("ev-a", "accuracy_low", "fraud-model", "v7"))))
	})
	assert.Equal(t, 0, sent())

	clock.Add(time.Minute)
	runWithStorage(t, dir, cfg, clock, func(e *alertExporter) {
		e.tick(ctx)
		assert.Equal(t, 0, sent(), "a restored group waits group_wait again")
		clock.Add(30 * time.Second)
		e.tick(ctx)
		require.Equal(t, 1, sent(), "the pending alert is notified after the restart")
	})

	clock.Add(time.Hour)
	runWithStorage(t, dir, cfg, clock, func(e *alertExporter) {
		require.NoError(t, e.pushLogs(ctx, logs(alertOf("ev-a2", "accuracy_low", "fraud-model", "v7"))))
		e.tick(ctx)
		assert.Equal(t, 1, sent(), "a duplicate after the restart is dropped")
		clock.Add(3 * time.Hour)
		e.tick(ctx)
		assert.Equal(t, 2, sent(), "the group repeats 4h after its last notification")
	})
}

func TestGroupedResolutionNotSentStopsRepeats(t *testing.T) {
	srv := newRecorder(t, 200)
	cfg := testConfig(srv.URL, FormatJSON)
	cfg.GroupBy = []string{"model.name"}
	cfg.GroupWait = 0
	cfg.SendResolved = false
	clock := &fakeClock{now: t0}
	e := startExporter(t, cfg, clock, nil)
	ctx := context.Background()
	require.NoError(t, e.pushLogs(ctx, logs(firing("ev-1"))))
	require.Equal(t, 1, len(srv.requests()))
	clock.Add(time.Minute)
	require.NoError(t, e.pushLogs(ctx, logs(resolved("ev-2"))))
	clock.Add(5 * time.Hour)
	e.tick(ctx)
	assert.Equal(t, 1, len(srv.requests()), "no resolution and no repeat")
}
