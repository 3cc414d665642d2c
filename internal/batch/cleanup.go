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
	over := func(key jobKey) (bool, api.JobStatus, error) {
		j, err := e.control.Job(ctx, key.account, key.id)
		if isNotFound(err) {
			return true, "", nil
		}
		if err != nil {
			return false, "", err
		}
		status := deref(j.Descriptor.Status)
		return s3control.Terminal(status), status, nil
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
			id, rest, ok := strings.Cut(f.Name(), ".")
			if !ok {
				continue
			}
			done, status, err := over(jobKey{a.Name(), id})
			if err != nil {
				return err
			}
			temporary := rest != "spool" && rest != "manifest.csv" // a name from os.CreateTemp
			preparing := status == api.JobStatusNew || status == api.JobStatusPreparing
			if done || temporary && !preparing {
				path := filepath.Join(e.dir, a.Name(), f.Name())
				if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
					e.log.Warn("batch: removing a leftover file", "path", path, "error", err)
				}
			}
		}
	}
	return nil
}
