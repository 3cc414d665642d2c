package batch

import (
	"context"
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/jobplane/jobplane/internal/motoserver"
	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/objectstore/remote"
)

// moto is one moto_server shared by the package's tests (each uses bucket
// names of its own), started on first use and stopped by TestMain.
var moto struct {
	once sync.Once
	url  string
	stop func()
	err  string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if moto.stop != nil {
		moto.stop()
	}
	os.Exit(code)
}

// motoURL starts moto_server if needed and returns its URL; without
// moto_server the test skips, unless JOBPLANE_REQUIRE_E2E=1.
func motoURL(t *testing.T) string {
	t.Helper()
	moto.once.Do(func() {
		if _, err := exec.LookPath("moto_server"); err != nil {
			moto.err = "moto_server is not installed"
			return
		}
		url, _, stop, err := motoserver.Start(append(os.Environ(), "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing"))
		if err != nil {
			moto.err = err.Error()
			return
		}
		moto.url, moto.stop = url, stop
	})
	if moto.url == "" {
		if os.Getenv("JOBPLANE_REQUIRE_E2E") == "1" {
			t.Fatal(moto.err + " (JOBPLANE_REQUIRE_E2E=1 requires it)")
		}
		t.Skip(moto.err + ": skipping the tests against a remote endpoint")
	}
	return moto.url
}

// motoStore opens the remote object store on moto_server.
func motoStore(t *testing.T) objectstore.Store {
	t.Helper()
	url := motoURL(t)
	s, err := remote.New(context.Background(), remote.Options{Endpoint: url, PathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOperationsOnMotoServer(t *testing.T) {
	t.Parallel()
	motoURL(t)
	for _, tc := range opCases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.remote != "" {
				t.Skip(tc.remote)
			}
			t.Parallel()
			opts := append([]harnessOption{withRemote(motoStore), withOptions(func(o *Options) { o.JobConcurrency, o.Concurrency = 16, 64 })}, tc.opts...)
			tc.run(t, newHarness(t, opts...))
		})
	}
}
