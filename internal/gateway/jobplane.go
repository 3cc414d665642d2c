package gateway

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// health is the body of GET /_jobplane/health.
type health struct {
	Status        string `json:"status"`
	Region        string `json:"region"`
	Auth          string `json:"auth"`
	Store         string `json:"store"`
	UptimeSeconds int64  `json:"uptime_seconds"`
}

// serveJobplane serves jobplane's own endpoints. They live under /_jobplane/
// only, a prefix no AWS API uses and no S3 bucket name can take.
func (g *Gateway) serveJobplane(w http.ResponseWriter, r *http.Request, ids requestIDs) {
	w.Header().Set("X-Amz-Request-Id", ids.requestID)
	switch r.URL.Path {
	case "/_jobplane/health":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
			return
		}
		h := health{Status: "ok", Region: g.opts.Region, Auth: "off", Store: "ok",
			UptimeSeconds: int64(g.opts.Now().Sub(g.started) / time.Second)}
		if g.opts.Auth == AuthSigV4 {
			h.Auth = "sigv4"
		}
		status := http.StatusOK
		if g.opts.Health != nil {
			if err := g.opts.Health(r.Context()); err != nil {
				h.Status, h.Store, status = "unavailable", err.Error(), http.StatusServiceUnavailable
			}
		}
		writeJSON(w, status, h)
	default:
		if h := g.endpoint(r.URL.Path); h != nil {
			h.ServeHTTP(w, r)
			return
		}
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such jobplane endpoint: " + r.URL.Path})
	}
}

// endpoint returns the handler registered for the longest prefix of path.
func (g *Gateway) endpoint(path string) http.Handler {
	var best string
	for prefix := range g.opts.Endpoints {
		if strings.HasPrefix(path, prefix) && len(prefix) > len(best) {
			best = prefix
		}
	}
	if best == "" {
		return nil
	}
	return g.opts.Endpoints[best]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
