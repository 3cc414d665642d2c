package s3control

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Handler serves jobplane's own S3 Batch Operations endpoint, mounted at
// /_jobplane/s3control/:
//
//	POST /_jobplane/s3control/sweep   run the lifecycle sweep now; answers
//	                                  {"expired":N,"purged":N,"requeued":N}
//
// With short --s3control-suspended-expiry and --s3control-retention
// settings, it lets a test of the real binary apply the lifecycle rules at
// a moment it chooses instead of waiting for the sweep interval.
func (p *Provider) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/sweep") {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such jobplane endpoint: " + r.URL.Path})
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use POST"})
			return
		}
		res, err := p.Sweep(r.Context())
		if err != nil {
			p.log.Error("s3control: sweep requested over HTTP", "error", err)
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "sweep failed; see the server log"})
			return
		}
		writeJSON(w, http.StatusOK, res)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
