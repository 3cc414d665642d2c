package batch

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/provider/s3control"
)

// sweepLeftovers removes what the engine kept for jobs that are over: run
// records and local files of jobs that ended (or were purged) while the
// engine was down, and files a crash left half written. Files of jobs
// that are still alive are kept: a job being prepared may be writing its
// generated manifest right now.
func (e *Engine) sweepLeftovers(ctx context.Context) error {
	// A job may have a run record and several files: it is read once.
	type state struct {
		over   bool
		status api.JobStatus
	}
	seen := map[jobKey]state{}
	over := func(key jobKey) (bool, api.JobStatus, error) {
		if st, ok := seen[key]; ok {
			return st.over, st.status, nil
		}
		var st state
		j, err := e.control.Job(ctx, key.account, key.id)
		switch {
		case isNotFound(err):
			st.over = true
		case err != nil:
			return false, "", err
		default:
			st.status = deref(j.Descriptor.Status)
			st.over = s3control.Terminal(st.status)
		}
		seen[key] = st
		return st.over, st.status, nil
	}
	account, job := "", ""
	for {
		runs, err := e.runs.ListBatchRuns(ctx, account, job, 500)
		if err != nil {
			return err
		}
		for _, r := range runs {
			key := jobKey{r.AccountID, r.JobID}
			done, _, err := over(key)
			if err != nil {
				return err
			}
			if done {
				e.cleanup(ctx, key)
			}
		}
		if len(runs) < 500 {
			break
		}
		account, job = runs[len(runs)-1].AccountID, runs[len(runs)-1].JobID
	}
	accounts, err := os.ReadDir(e.dir)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		if !a.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(e.dir, a.Name()))
		if err != nil {
			return err
		}
		for _, f := range files {
			id, _, ok := strings.Cut(f.Name(), ".")
			if !ok {
				continue
			}
			key := jobKey{a.Name(), id}
			done, status, err := over(key)
			if err != nil {
				return err
			}
			path := filepath.Join(e.dir, a.Name(), f.Name())
			temporary := path != e.spoolPath(key) && path != e.generatedPath(key) // a name from os.CreateTemp
			preparing := status == api.JobStatusNew || status == api.JobStatusPreparing
			if done || temporary && !preparing {
				if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
					e.log.Warn("batch: removing a leftover file", "path", path, "error", err)
				}
			}
		}
	}
	return nil
}
