package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"

	"github.com/visutility/otelcol-modelmon/internal/storagekv"
	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/alertstore"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/strategy"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

// savedAlert is a firing alert read back from storage.
type savedAlert struct {
	resource pcommon.Resource
	v        modelevent.Violation
}

// restore reads the saved firing alerts and puts each back into its model's
// lifecycle as firing, with its original start and without a new firing
// event. An alert that cannot be put back (its rule or the model key is no
// longer configured, or max_models is reached) resolves at once with reason
// expired: downstream it is open, and nothing would ever close it otherwise.
// Unreadable records are counted, logged and deleted. Called by start before
// the ticker runs; the caller holds no lock.
func (e *engine) restore(ctx context.Context, store storagekv.Store) {
	var saved []savedAlert
	var corrupt []string
	owners := map[string]ownerRecord{}
	err := store.Range(ctx, func(key string, b []byte) error {
		if strings.HasPrefix(key, ownerKeyPrefix) {
			var rec ownerRecord
			if json.Unmarshal(b, &rec) == nil {
				owners[key] = rec
			}
			return nil
		}
		if !strings.HasPrefix(key, alertstore.KeyPrefix) {
			return nil
		}
		res, v, err := alertstore.Decode(b)
		if err == nil && key != alertstore.KeyPrefix+v.AlertID {
			err = alertstore.ErrBadRecord
		}
		if err != nil {
			e.logger.Warn("skipping an unreadable saved alert", zap.String("key", key), zap.Error(err))
			corrupt = append(corrupt, key)
			return nil
		}
		saved = append(saved, savedAlert{resource: res, v: v})
		return nil
	})
	if err != nil {
		e.tel.RecordStateError(ctx, telemetry.OpRead, 1)
		e.logger.Error("could not read all saved firing alerts", zap.Error(err))
	}
	for _, key := range corrupt {
		if err := store.Delete(ctx, key); err != nil {
			e.tel.RecordStateError(ctx, telemetry.OpDelete, 1)
		}
	}
	e.tel.RecordLoaded(ctx, telemetry.LoadCorrupt, len(corrupt))

	now := e.clock()
	w := e.getWorker(now.UnixNano())
	defer e.putWorker(w)
	e.lockAll()
	w.fused = true
	outcomes := map[string]int{}
	elsewhere := 0
	for i := range saved {
		mark := int64(0)
		if e.ho != nil {
			var here bool
			if mark, here = w.restoresHere(owners, &saved[i].v); !here {
				elsewhere++
				continue
			}
		}
		outcome, m := w.restoreAlert(&saved[i], now)
		outcomes[outcome]++
		if m != nil && m.ho != nil && mark > m.dataMark {
			// The newest data this gateway received before the restart, as
			// its owner record says: a gateway with newer data is the
			// model's owner now (see ownedUntil).
			m.dataMark, m.ho.ownerMark = mark, mark
		}
	}
	e.unlockAll()
	e.tel.RecordModels(ctx, int(e.nModels.Load()))
	for _, o := range []string{telemetry.LoadRestored, telemetry.LoadExpired, telemetry.LoadOverLimit} {
		e.tel.RecordLoaded(ctx, o, outcomes[o])
	}
	if len(saved) > 0 || len(corrupt) > 0 {
		e.logger.Info("restored firing alerts from storage",
			zap.Int("restored", outcomes[telemetry.LoadRestored]),
			zap.Int("expired", outcomes[telemetry.LoadExpired]+outcomes[telemetry.LoadOverLimit]),
			zap.Int("unreadable", len(corrupt)),
			zap.Int("served_elsewhere", elsewhere))
	}
	e.deliverQueued()
}

// restoreAlert puts one saved alert back and returns its load outcome and
// its model (nil when not restored). The caller holds mu.
func (e *worker) restoreAlert(s *savedAlert, now time.Time) (string, *model) {
	v := &s.v
	ri := e.ruleIndex(v.Rule)
	if ri < 0 || !e.sameKeyNames(v.ModelKey) {
		e.expireSaved(s, now)
		return telemetry.LoadExpired, nil
	}
	m, ok := e.restoredModel(v.ModelKey, s.resource, v.Time, now)
	if !ok {
		e.expireSaved(s, now)
		return telemetry.LoadOverLimit, nil
	}
	r, rs := e.rules[ri], &m.rules[ri]
	if r.dist != nil {
		if !e.restoreDrift(m, r, v) {
			e.expireSaved(s, now)
			return telemetry.LoadOverLimit, nil
		}
		return telemetry.LoadRestored, m
	}
	rs.tracker.Restore(v.StartedAt)
	rs.alertID = v.AlertID
	rs.cond, rs.restored = true, true
	putBackResult(m, r, rs, v)
	return telemetry.LoadRestored, m
}

// putBackResult gives a lifecycle put back from a saved firing event the
// verdict that event carried, so that its resolved event carries values,
// not zeros; for a no_data rule, the time of the newest point too.
func putBackResult(m *model, r *rule, rs *ruleState, v *modelevent.Violation) {
	rs.res = strategy.Result{
		Breach: true, Ready: true, Observed: v.Observed, Threshold: v.Threshold,
		HasBaseline: v.Baseline != nil, Side: strategy.Above,
	}
	if v.Comparison == modelevent.ComparisonBelow {
		rs.res.Side = strategy.Below
	}
	if v.Baseline != nil {
		rs.res.BaselineMean, rs.res.BaselineStddev = v.Baseline.Mean, v.Baseline.Stddev
	}
	rs.samples = int(v.WindowSamples)
	if !v.WindowEnd.IsZero() {
		rs.winStart, rs.winEnd = v.WindowStart.UnixNano(), v.WindowEnd.UnixNano()
	}
	if r.noData() {
		// The firing event observed the age of the newest point: put that
		// point's time back, so the absence goes on until data arrives.
		last := v.Time.Add(-time.Duration(v.Observed * float64(time.Second))).UnixNano()
		if r.sig >= 0 {
			m.signals[r.sig].lastData = last
		} else if last < m.watermark {
			m.watermark = last
		}
	}
}

// expireSaved resolves a saved alert that cannot be restored, with reason
// expired, from what its firing event carried.
func (e *worker) expireSaved(s *savedAlert, now time.Time) {
	v := s.v
	v.State = modelevent.StateResolved
	v.ResolvedReason = modelevent.ResolvedExpired
	v.EventID = newEventID()
	v.Time = now.UTC()
	if v.Time.Before(v.StartedAt) {
		v.Time = v.StartedAt
	}
	v.Summary = ""
	e.queue(&model{resource: s.resource}, &v)
}

func (e *engine) ruleIndex(name string) int {
	for i, r := range e.rules {
		if r.name == name {
			return i
		}
	}
	return -1
}

// sameKeyNames reports whether a saved model key has the configured
// attributes in the configured order; otherwise it names another model now.
func (e *engine) sameKeyNames(key []modelevent.Attribute) bool {
	if len(key) != len(e.cfg.ModelKey) {
		return false
	}
	for i, a := range key {
		if a.Key != e.cfg.ModelKey[i] {
			return false
		}
	}
	return true
}

// restoredModel finds or creates the model of a saved key, as data with
// those key values would. A new model's clock starts at the later of the
// saved event's time and now: nothing newer is known of its data, and the
// collector's clock fills the gap of the restart, so the model has
// stale_after to send again before it is evicted. ok is false when the key
// is refused or max_models is reached.
func (e *worker) restoredModel(key []modelevent.Attribute, res pcommon.Resource, at, now time.Time) (*model, bool) {
	point := pcommon.NewMap()
	for _, a := range key {
		point.PutStr(a.Key, a.Value)
	}
	empty := pcommon.NewMap()
	h, ok := e.extractor.Extract(&e.scratch, point, empty, empty)
	if !ok {
		return nil, false
	}
	clock := max(at.UnixNano(), now.UnixNano())
	si := e.shardOf()
	if _, m, found := e.shards[si].models.Get(&e.scratch, h); found {
		if clock > m.clock {
			m.clock, m.watermark = clock, clock
		}
		return m, true
	}
	if !e.reserveModel() {
		return nil, false
	}
	m := e.addModel(si, e.extractor.Intern(&e.scratch, h), res, false)
	m.clock, m.watermark, m.anchor = clock, clock, now.UnixNano()
	// The hold starts with the first data after the restore (see seen).
	m.holdUntil = -1
	return m, true
}
