package e2e

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// roundInterval is how often the fleet's models send a point.
const roundInterval = 200 * time.Millisecond

// fleet is a set of gateways behind a test router that sends each model's
// points to one live gateway by rendezvous hashing on the model key, as the
// load_balancing exporter routes on it: a model moves only when the gateway
// it hashes to leaves or comes back.
//
// Once rounds is first called the models send on their own, every
// roundInterval, whatever the test does meanwhile (start or stop a gateway,
// wait for Alertmanager), as inference services do: stale_after is 4s here,
// and a pause in the data that long, which a gateway's start alone can take
// on a loaded machine, would expire the models where they are served. Each
// gateway gets its points from a sender of its own, so one that answers
// slowly (a gateway just started) delays no other.
type fleet struct {
	t        *testing.T
	gateways []*collector
	sinks    []*logSink
	models   []string

	mu   sync.Mutex
	live []bool
	v    float64
	all  bool

	queues  []chan pmetric.Metrics
	feeding bool
	halt    chan struct{}
	wg      sync.WaitGroup
}

func newFleet(t *testing.T, n, models int, am *alertmanager, rds *redisServer) *fleet {
	f := &fleet{t: t, live: make([]bool, n), halt: make(chan struct{})}
	for i := range n {
		sink := newLogSink(t)
		c := newCollector(t, handoffConfig, map[string]any{
			"AlertmanagerURL": am.URL, "RedisAddr": rds.Addr, "RedisStorage": rds.Addr,
			"SinkURL": sink.srv.URL, "Instance": "gateway-" + strconv.Itoa(i),
			// Generous: a slow answer on a loaded machine is no outage.
			"RedisTimeout": "5s",
		})
		f.gateways = append(f.gateways, c)
		f.sinks = append(f.sinks, sink)
	}
	for i := range models {
		f.models = append(f.models, fmt.Sprintf("model-%03d", i))
	}
	// Registered after the gateways, so run before they are killed.
	t.Cleanup(func() {
		close(f.halt)
		f.wg.Wait()
	})
	return f
}

// start starts gateway i and adds it to the router once its health check
// says ready, as a readiness probe does.
func (f *fleet) start(i int) {
	f.t.Helper()
	f.gateways[i].start()
	f.mu.Lock()
	f.live[i] = true
	f.mu.Unlock()
}

// stop shuts gateway i down gracefully, as a scale-down or a rolling update
// does; the router stops sending to it first.
func (f *fleet) stop(i int) {
	f.t.Helper()
	f.mu.Lock()
	f.live[i] = false
	f.mu.Unlock()
	f.gateways[i].stop()
}

// owner is the live gateway model hashes to.
func (f *fleet) owner(model string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return ownerAmong(f.live, model)
}

func ownerAmong(live []bool, model string) int {
	best, bestScore := -1, uint64(0)
	for i, ok := range live {
		if !ok {
			continue
		}
		h := fnv.New64a()
		_, _ = h.Write([]byte(model + "/gateway-" + strconv.Itoa(i)))
		if s := h.Sum64(); best < 0 || s > bestScore {
			best, bestScore = i, s
		}
	}
	return best
}

// batches makes one round: one accuracy point per model, stamped now, each
// for the gateway the router picks; for every live gateway when all is set
// (an HA pair, which gets the same points).
func (f *fleet) batches(v float64, all bool) []pmetric.Metrics {
	f.mu.Lock()
	defer f.mu.Unlock()
	ts := time.Now()
	out := make([]pmetric.Metrics, len(f.gateways))
	for _, m := range f.models {
		targets := []int{ownerAmong(f.live, m)}
		if all {
			targets = targets[:0]
			for i, ok := range f.live {
				if ok {
					targets = append(targets, i)
				}
			}
		}
		for _, g := range targets {
			if out[g] == (pmetric.Metrics{}) {
				out[g] = pmetric.NewMetrics()
			}
			appendAccuracy(out[g], m, v, ts)
		}
	}
	return out
}

// round sends one round and waits for every gateway to take it.
func (f *fleet) round(v float64, all bool) {
	f.t.Helper()
	for g, md := range f.batches(v, all) {
		if md == (pmetric.Metrics{}) {
			continue
		}
		body, err := (&pmetric.ProtoMarshaler{}).MarshalMetrics(md)
		require.NoError(f.t, err)
		code, answer := postOTLP(f.t, f.gateways[g], "application/x-protobuf", body)
		require.Equal(f.t, http.StatusOK, code, answer)
	}
}

// rounds has the models send v (to every live gateway when all is set) from
// now on, and waits until done reports true or timeout.
func (f *fleet) rounds(v float64, all bool, timeout time.Duration, done func() bool) bool {
	f.t.Helper()
	f.mu.Lock()
	f.v, f.all = v, all
	if !f.feeding {
		f.feeding = true
		f.feed()
	}
	f.mu.Unlock()
	deadline := time.Now().Add(timeout)
	for {
		if done() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// feed starts the models' senders: one goroutine makes a round every
// roundInterval and queues each gateway's part for that gateway's sender.
// The caller holds mu.
func (f *fleet) feed() {
	// A gateway that takes a minute of rounds behind is a failure anyway.
	const backlog = int(time.Minute / roundInterval)
	f.queues = make([]chan pmetric.Metrics, len(f.gateways))
	for g := range f.gateways {
		q := make(chan pmetric.Metrics, backlog)
		f.queues[g] = q
		f.wg.Add(1)
		go f.send(g, q)
	}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		t := time.NewTicker(roundInterval)
		defer t.Stop()
		for {
			f.mu.Lock()
			v, all := f.v, f.all
			f.mu.Unlock()
			for g, md := range f.batches(v, all) {
				if md == (pmetric.Metrics{}) {
					continue
				}
				select {
				case f.queues[g] <- md:
				default:
					f.t.Errorf("gateway %d is %d rounds behind", g, backlog)
				}
			}
			select {
			case <-f.halt:
				return
			case <-t.C:
			}
		}
	}()
}

// send posts gateway g's points in order. A refused post counts only while
// the router sends to g: one queued just before g left may meet it shutting
// down.
func (f *fleet) send(g int, q <-chan pmetric.Metrics) {
	defer f.wg.Done()
	addr := "http://127.0.0.1:" + strconv.Itoa(f.gateways[g].Ports.HTTP) + "/v1/metrics"
	for {
		select {
		case <-f.halt:
			return
		case md := <-q:
			body, err := (&pmetric.ProtoMarshaler{}).MarshalMetrics(md)
			if err != nil {
				f.t.Errorf("gateway %d: %v", g, err)
				continue
			}
			err = postProto(addr, body)
			f.mu.Lock()
			live := f.live[g]
			f.mu.Unlock()
			if err != nil && live {
				f.t.Errorf("gateway %d: %v", g, err)
			}
		}
	}
}

// postProto posts an OTLP/HTTP protobuf body and reports anything but 200.
func postProto(url string, body []byte) error {
	resp, err := http.Post(url, "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s", url, resp.Status)
	}
	return nil
}
