package motoserver

import (
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

func TestStartServesUntilStop(t *testing.T) {
	if _, err := exec.LookPath("moto_server"); err != nil {
		if os.Getenv("JOBPLANE_REQUIRE_E2E") == "1" {
			t.Fatal("moto_server is not installed (JOBPLANE_REQUIRE_E2E=1 requires it)")
		}
		t.Skip("moto_server is not installed")
	}
	url, pid, stop, err := Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	resp, err := http.Get(url + "/moto-api/data.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("data.json answered %d", resp.StatusCode)
	}
	stop()
	stop()
	if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
		t.Fatalf("moto_server (%d) is still there after stop: %v", pid, err)
	}
	if _, err := http.Get(url + "/moto-api/data.json"); err == nil {
		t.Fatal("moto_server still answers after stop")
	}
}

func TestStartReportsAServerThatExits(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/sh\necho no such luck >&2\nexit 3\n"
	if err := os.WriteFile(dir+"/moto_server", []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	_, _, _, err := Start([]string{"PATH=" + dir})
	if err == nil {
		t.Fatal("Start succeeded with a moto_server that exits at once")
	}
	if got := err.Error(); !strings.Contains(got, "exited") || !strings.Contains(got, "no such luck") {
		t.Fatalf("Start failed with %q", got)
	}
}
