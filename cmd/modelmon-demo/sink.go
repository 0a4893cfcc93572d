package main

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/visutility/otelcol-modelmon/internal/webhooksign"
)

// maxNotification bounds what the sink reads of one request.
const maxNotification = 1 << 20

// secretList is a repeatable -secret flag.
type secretList []string

func (s *secretList) String() string     { return strconv.Itoa(len(*s)) + " secret(s)" }
func (s *secretList) Set(v string) error { *s = append(*s, v); return nil }

// runSink receives webhook notifications, verifies their Standard Webhooks
// signature when given the secret, and prints each one readably.
func runSink(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("modelmon-demo sink", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8088", "address to listen on")
	var secrets secretList
	fs.Var(&secrets, "secret", "Standard Webhooks secret (whsec_<base64> or raw); repeatable; default $MODELMON_WEBHOOK_SECRET")
	tolerance := fs.Duration("tolerance", 5*time.Minute, "accepted clock difference of webhook-timestamp")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(secrets) == 0 && os.Getenv("MODELMON_WEBHOOK_SECRET") != "" {
		secrets = append(secrets, os.Getenv("MODELMON_WEBHOOK_SECRET"))
	}
	v, err := newVerifier(secrets, *tolerance)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	mode := "signatures not checked (no -secret)"
	if v.enabled() {
		mode = "verifying Standard Webhooks signatures"
	}
	fmt.Fprintf(stdout, "modelmon-demo sink: listening on http://%s, %s\n", l.Addr(), mode)
	srv := &http.Server{Handler: &sink{out: stdout, verify: v, now: time.Now}, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// verifier checks Standard Webhooks signatures against one or more secrets.
type verifier struct {
	signers   []*webhooksign.Signer
	tolerance time.Duration
}

func newVerifier(secrets []string, tolerance time.Duration) (*verifier, error) {
	v := &verifier{tolerance: tolerance}
	for i, s := range secrets {
		sg, err := webhooksign.New([]string{s})
		if err != nil {
			return nil, fmt.Errorf("-secret #%d: %w", i+1, err)
		}
		v.signers = append(v.signers, sg)
	}
	return v, nil
}

func (v *verifier) enabled() bool { return len(v.signers) > 0 }

// errUnsigned is returned for a request without the three webhook headers.
var errUnsigned = errors.New("missing webhook-id, webhook-timestamp or webhook-signature")

// check verifies the headers of one request against body at now.
func (v *verifier) check(h http.Header, body []byte, now time.Time) error {
	id, ts, sig := h.Get(webhooksign.HeaderID), h.Get(webhooksign.HeaderTimestamp), h.Get(webhooksign.HeaderSignature)
	if id == "" || ts == "" || sig == "" {
		return errUnsigned
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("webhook-timestamp %q is not a Unix time", ts)
	}
	at := time.Unix(sec, 0)
	if d := now.Sub(at); d > v.tolerance || d < -v.tolerance {
		return fmt.Errorf("webhook-timestamp is %s away from now", d.Truncate(time.Second))
	}
	for _, s := range v.signers {
		want := []byte(s.Signature(id, at, body))
		for _, got := range strings.Fields(sig) {
			if hmac.Equal([]byte(got), want) {
				return nil
			}
		}
	}
	return errors.New("no signature matches")
}

// sink prints every notification it receives.
type sink struct {
	out    io.Writer
	verify *verifier
	now    func() time.Time
	mu     sync.Mutex // one notification's lines stay together
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxNotification))
	if err != nil {
		http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	now := s.now()
	sig := "unsigned"
	if s.verify.enabled() {
		if err := s.verify.check(r.Header, body, now); err != nil {
			s.print(fmt.Sprintf("%s REJECTED %s %s: %v\n", now.Format(time.TimeOnly), r.Method, r.URL.Path, err))
			http.Error(w, "signature verification failed", http.StatusUnauthorized)
			return
		}
		sig = "signature ok"
	}
	s.print(render(now, r.URL.Path, sig, body))
	w.WriteHeader(http.StatusOK)
}

func (s *sink) print(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = io.WriteString(s.out, text)
}

// notification is the Alertmanager webhook shape alert_webhook's json format sends.
type notification struct {
	Status string `json:"status"`
	Alerts []struct {
		Status      string            `json:"status"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
		StartsAt    time.Time         `json:"startsAt"`
	} `json:"alerts"`
}

// render formats one notification: a line per alert when it is an
// Alertmanager-style message, else the start of the body.
func render(now time.Time, path, sig string, body []byte) string {
	var b strings.Builder
	var n notification
	if err := json.Unmarshal(body, &n); err != nil || len(n.Alerts) == 0 {
		text := strings.Join(strings.Fields(string(body)), " ")
		if len(text) > 300 {
			text = text[:300] + "…"
		}
		fmt.Fprintf(&b, "%s POST %s (%s, %d bytes): %s\n", now.Format(time.TimeOnly), path, sig, len(body), text)
		return b.String()
	}
	fmt.Fprintf(&b, "%s %s notification, %d alert(s), %s\n", now.Format(time.TimeOnly), strings.ToUpper(n.Status), len(n.Alerts), sig)
	for _, a := range n.Alerts {
		model := a.Labels["model_name"]
		if v := a.Labels["model_version"]; v != "" {
			model += ":" + v
		}
		fmt.Fprintf(&b, "  %-8s %-18s %-24s %-8s %s\n", strings.ToUpper(a.Status), a.Labels["alertname"], model,
			a.Labels["severity"], a.Annotations["summary"])
		if extra := otherLabels(a.Labels); extra != "" {
			fmt.Fprintf(&b, "           labels: %s\n", extra)
		}
	}
	return b.String()
}

// otherLabels lists the labels render did not already show.
func otherLabels(l map[string]string) string {
	var parts []string
	for k, v := range l {
		switch k {
		case "alertname", "model_name", "model_version", "severity":
			continue
		}
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}
