package snowball

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	api "github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/store"
)

// jobplane serves the files the real service hands out as presigned S3 URLs
// (manifests, software updates, return labels, job reports) itself, under
// EndpointPrefix, and offers there the endpoint that advances a job. A file
// URL carries its expiry and an HMAC of its path, account and expiry made
// with the provider's secret, so it cannot be forged or extended and keeps
// working across restarts until it expires, like an S3 presigned URL.

// EndpointPrefix is where the provider's HTTP handler is mounted.
const EndpointPrefix = "/_jobplane/snowball/"

type fileKind string

const (
	fileManifest   fileKind = "manifest"
	fileUpdates    fileKind = "updates"
	fileLabel      fileKind = "label"
	fileReport     fileKind = "report"
	fileSuccessLog fileKind = "success-log"
	fileFailureLog fileKind = "failure-log"
)

// fileNames are the names the files download as.
var fileNames = map[fileKind]string{
	fileManifest: "%s_manifest.bin", fileUpdates: "%s_updates.tar", fileLabel: "%s_return_label.txt",
	fileReport: "%s_completion_report.csv", fileSuccessLog: "%s_success_log.csv", fileFailureLog: "%s_failure_log.csv",
}

func (p *Provider) sign(path, account string, expires int64) string {
	m := hmac.New(sha256.New, p.urlKey)
	fmt.Fprintf(m, "%s\n%s\n%d", path, account, expires)
	return hex.EncodeToString(m.Sum(nil))
}

// presign returns the URL of a job's file, valid for lifetime.
func (p *Provider) presign(ctx context.Context, kind fileKind, jobID string, lifetime time.Duration) string {
	path := EndpointPrefix + "files/" + string(kind) + "/" + fmt.Sprintf(fileNames[kind], jobID)
	expires := p.clock.Now().Add(lifetime).Unix()
	q := url.Values{"X-Jobplane-Account": {account(ctx)}, "X-Jobplane-Expires": {strconv.FormatInt(expires, 10)},
		"X-Jobplane-Signature": {p.sign(path, account(ctx), expires)}}
	return p.baseURL(ctx) + path + "?" + q.Encode()
}

// Handler serves EndpointPrefix:
//
//	GET  /_jobplane/snowball/files/{kind}/{name}?X-Jobplane-...   a presigned file
//	POST /_jobplane/snowball/jobs/{JobId}/advance                  move a job to its next state
//	GET  /_jobplane/snowball/jobs/{JobId}                          a job's lifecycle state
func (p *Provider) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+EndpointPrefix+"files/{kind}/{name}", p.serveFile)
	mux.HandleFunc("POST "+EndpointPrefix+"jobs/{id}/advance", p.serveAdvance)
	mux.HandleFunc("GET "+EndpointPrefix+"jobs/{id}", p.serveState)
	mux.HandleFunc(EndpointPrefix, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such Snowball endpoint: " + r.Method + " " + r.URL.Path})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fileError answers a refused file request as S3 answers a presigned GET.
func fileError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>", code, msg)
}

func (p *Provider) serveFile(w http.ResponseWriter, r *http.Request) {
	kind := fileKind(r.PathValue("kind"))
	name := r.PathValue("name")
	format, ok := fileNames[kind]
	q := r.URL.Query()
	acct, sig := q.Get("X-Jobplane-Account"), q.Get("X-Jobplane-Signature")
	expires, err := strconv.ParseInt(q.Get("X-Jobplane-Expires"), 10, 64)
	if !ok || err != nil || sig == "" || !hmac.Equal([]byte(sig), []byte(p.sign(r.URL.Path, acct, expires))) {
		fileError(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	}
	if p.clock.Now().Unix() > expires {
		fileError(w, http.StatusForbidden, "AccessDenied", "Request has expired")
		return
	}
	jobID := strings.TrimSuffix(name, strings.TrimPrefix(format, "%s"))
	j, err := p.st.SnowballJob(r.Context(), acct, jobID)
	if errors.Is(err, store.ErrSnowballNotFound) {
		fileError(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	if err != nil {
		p.log.Error("snowball: serving a file", "error", err)
		fileError(w, http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
		return
	}
	body, ctype, err := p.fileContent(kind, &j)
	if err != nil {
		p.log.Error("snowball: building a file", "error", err)
		fileError(w, http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// ManifestMagic starts every manifest file.
const ManifestMagic = "JOBPLANE-SNOWBALL-MANIFEST/1\n"

// fileContent builds a job's file.
func (p *Provider) fileContent(kind fileKind, j *store.SnowballJob) ([]byte, string, error) {
	d, err := decodeJob(j)
	if err != nil {
		return nil, "", err
	}
	switch kind {
	case fileManifest:
		return p.manifest(j, d)
	case fileUpdates:
		return []byte(fmt.Sprintf("%s\ndevice %s\njob %s\n", softwareVersion, snowballID(j.ID), j.ID)), "application/octet-stream", nil
	case fileLabel:
		opt := ""
		if d.Label != nil {
			opt = str(d.Label.ShippingOption)
		}
		return []byte(fmt.Sprintf("RETURN SHIPPING LABEL\nTracking: %s\nService: %s\nDevice: %s\nJob: %s\nShip to: AWS Snow Family receiving\n",
			trackingNumber(j.ID, "in"), opt, snowballID(j.ID), j.ID)), "text/plain; charset=utf-8", nil
	}
	// Reports: jobplane moves no data for Snowball jobs, so every report is
	// the header of an empty CSV.
	return []byte("Bucket,Key,Size,Status,Message\n"), "text/csv", nil
}

// manifest is the job's manifest: a JSON description of the job and its
// device, sealed with AES-256-GCM under the SHA-256 of the job's unlock code,
// so that, as on a real device, the manifest is useless without the code.
func (p *Provider) manifest(j *store.SnowballJob, d *jobDoc) ([]byte, string, error) {
	plain, err := json.Marshal(map[string]any{"JobId": j.ID, "JobType": j.JobType, "SnowballType": j.SnowballType,
		"SnowballId": snowballID(j.ID), "Resources": d.Resources, "CreationDate": j.CreatedAt})
	if err != nil {
		return nil, "", err
	}
	key := sha256.Sum256([]byte(p.unlockCode(j.ID)))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, "", err
	}
	var out bytes.Buffer
	out.WriteString(ManifestMagic)
	out.Write(nonce)
	out.Write(gcm.Seal(nil, nonce, plain, []byte(j.ID)))
	return out.Bytes(), "application/octet-stream", nil
}

// OpenManifest decrypts a manifest with the job's unlock code; it is what a
// device (or a test) does with the two credentials.
func OpenManifest(file []byte, jobID, unlockCode string) ([]byte, error) {
	rest, ok := bytes.CutPrefix(file, []byte(ManifestMagic))
	key := sha256.Sum256([]byte(unlockCode))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	if !ok || len(rest) < gcm.NonceSize() {
		return nil, errors.New("snowball: not a manifest")
	}
	return gcm.Open(nil, rest[:gcm.NonceSize()], rest[gcm.NonceSize():], []byte(jobID))
}

// jobState is the body of the jobs endpoints.
type jobState struct {
	JobId         string
	Account       string
	PreviousState string `json:",omitempty"`
	JobState      string
	StateSince    time.Time
	DueAt         *time.Time `json:",omitempty"`
}

func (p *Provider) serveState(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	acct, _, err := p.st.SnowballJobOwner(r.Context(), id)
	if err == nil {
		err = p.catchUp(r.Context(), false)
	}
	var j store.SnowballJob
	if err == nil {
		j, err = p.st.SnowballJob(r.Context(), acct, id)
	}
	if p.endpointError(w, id, err) {
		return
	}
	writeJSON(w, http.StatusOK, stateOf(&j, ""))
}

func stateOf(j *store.SnowballJob, previous string) jobState {
	s := jobState{JobId: j.ID, Account: j.Account, PreviousState: previous, JobState: j.State, StateSince: j.StateSince}
	if !j.DueAt.IsZero() {
		s.DueAt = &j.DueAt
	}
	return s
}

// serveAdvance moves a job to its next state now (for tests and demos).
func (p *Provider) serveAdvance(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	acct, group, err := p.st.SnowballJobOwner(r.Context(), id)
	if err == nil {
		err = p.catchUp(r.Context(), false)
	}
	var out jobState
	if err == nil {
		now := p.clock.Now()
		err = p.st.UpdateSnowballGroup(r.Context(), acct, group, func(g *store.SnowballGroup) error {
			p.settleGroup(g, now)
			for i := range g.Jobs {
				if g.Jobs[i].ID == id {
					prev := g.Jobs[i].State
					if err := p.advance(g, i, now); err != nil {
						return err
					}
					out = stateOf(&g.Jobs[i], prev)
					for k := range g.Jobs {
						p.noteDue(g.Jobs[k].DueAt)
					}
					return nil
				}
			}
			return store.ErrSnowballNotFound
		})
	}
	if p.endpointError(w, id, err) {
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// endpointError answers a failed jobs endpoint call; it reports whether err
// was one.
func (p *Provider) endpointError(w http.ResponseWriter, id string, err error) bool {
	var state *api.InvalidJobStateException
	switch {
	case err == nil:
		return false
	case errors.Is(err, store.ErrSnowballNotFound):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such job: " + id})
	case errors.As(err, &state):
		writeJSON(w, http.StatusConflict, map[string]string{"error": state.ErrorMessage()})
	default:
		p.log.Error("snowball: jobs endpoint", "job", id, "error", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
	}
	return true
}
