package modelmonstatusextension // import "github.com/visutility/otelcol-modelmon/modelmonstatusextension"

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"

	"go.uber.org/zap"

	"github.com/visutility/otelcol-modelmon/internal/status"
)

// handler routes the pages and the API.
func (x *statusExtension) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", x.fleetPage)
	mux.HandleFunc("GET /alerts", x.alertsPage)
	mux.HandleFunc("GET /models/{id}", x.modelPage)
	mux.HandleFunc("GET /api/v1/alerts", x.apiAlerts)
	mux.HandleFunc("GET /api/v1/models", x.apiModels)
	mux.HandleFunc("GET /api/v1/models/{id}", x.apiModel)
	return securityHeaders(mux)
}

// securityHeaders forbids scripts, frames and outside resources outright:
// the pages need none, so an injected tag could not run or load anything
// even if escaping failed.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// request is a page or API request's parsed parameters.
type request struct {
	processor string // component ID, empty for all
	query     status.Query
}

// parseRequest reads processor, state, sort, offset and limit; a malformed
// value is the client's error.
func (x *statusExtension) parseRequest(r *http.Request) (request, string) {
	v := r.URL.Query()
	req := request{processor: v.Get("processor")}
	q := &req.query
	q.State = v.Get("state")
	switch q.State {
	case "", status.StateInactive, status.StatePending, status.StateFiring:
	default:
		return req, "state: want inactive, pending or firing"
	}
	q.Sort = v.Get("sort")
	switch q.Sort {
	case "", status.SortState, status.SortName, status.SortLastSeen:
	default:
		return req, "sort: want state, name or last_seen"
	}
	q.Limit = x.cfg.PageSize
	for _, p := range []struct {
		name string
		dst  *int
	}{{"offset", &q.Offset}, {"limit", &q.Limit}} {
		s := v.Get(p.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return req, p.name + ": want a non-negative integer"
		}
		*p.dst = n
	}
	if q.Limit == 0 {
		q.Limit = x.cfg.PageSize
	}
	q.Limit = q.PageLimit()
	return req, ""
}

// snapshot is one processor's snapshot.
type snapshot struct {
	ID   string
	Snap status.Snapshot
}

// snapshots queries every registered processor (or the one asked for).
func (x *statusExtension) snapshots(req request) []snapshot {
	var out []snapshot
	for _, s := range x.registered() {
		if req.processor != "" && s.id.String() != req.processor {
			continue
		}
		out = append(out, snapshot{ID: s.id.String(), Snap: s.src.Snapshot(req.query)})
	}
	return out
}

func (x *statusExtension) fleetPage(w http.ResponseWriter, r *http.Request) {
	req, bad := x.parseRequest(r)
	if bad != "" {
		http.Error(w, bad, http.StatusBadRequest)
		return
	}
	x.render(w, "fleet", fleetView(req, x.snapshots(req), x.now()))
}

func (x *statusExtension) alertsPage(w http.ResponseWriter, r *http.Request) {
	req, bad := x.parseRequest(r)
	if bad != "" {
		http.Error(w, bad, http.StatusBadRequest)
		return
	}
	x.render(w, "alerts", alertsView(req, x.snapshots(req), x.now()))
}

func (x *statusExtension) modelPage(w http.ResponseWriter, r *http.Request) {
	req, bad := x.parseRequest(r)
	if bad != "" {
		http.Error(w, bad, http.StatusBadRequest)
		return
	}
	req.query.Model = r.PathValue("id")
	v := modelView(req, x.snapshots(req), x.now())
	if len(v.Sections) == 0 {
		w.WriteHeader(http.StatusNotFound)
	}
	x.render(w, "model", v)
}

// render executes a page into a buffer first, so that a failing template
// yields a clean error instead of half a page.
func (x *statusExtension) render(w http.ResponseWriter, name string, data any) {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name, data); err != nil {
		x.logger.Error("status page failed to render", zap.String("page", name), zap.Error(err))
		http.Error(w, "page failed to render", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

// maxLinkedID is the longest model id that gets a link: a longer one would
// make every row carry it whole, and few servers accept such a URL.
const maxLinkedID = 1024

// modelURL is the page of a model; the id is path-escaped, so a model
// named ../alerts or a?b stays one path segment. Empty when the id is too
// long to link.
func modelURL(id, processor string) string {
	if len(id) > maxLinkedID {
		return ""
	}
	u := "/models/" + url.PathEscape(id)
	if processor != "" {
		u += "?processor=" + url.QueryEscape(processor)
	}
	return u
}
