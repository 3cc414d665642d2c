// Package motoserver runs moto_server, the S3 (and more) emulator of the
// Python moto project, as a child process on a free loopback port: the
// tests and benchmarks that compare jobplane with it, or use it as a remote
// S3 endpoint, start it here.
package motoserver

import (
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// startTimeout is how long Start waits for moto_server to answer.
const startTimeout = 60 * time.Second

// Start runs `moto_server -H 127.0.0.1 -p PORT` on a free loopback port, in
// a process group of its own, with env as its environment (nil: this
// process's), and waits until http://127.0.0.1:PORT/moto-api/data.json
// answers. It returns the server's base URL, its process id and stop, which
// kills the whole process group (moto_server may start helpers of its own)
// and waits for moto_server to exit; stop may be called more than once.
// When moto_server exits or does not answer within a minute, Start fails
// with the end of what it printed.
func Start(env []string) (url string, pid int, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", 0, nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	cmd := exec.Command("moto_server", "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &tail{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return "", 0, nil, fmt.Errorf("starting moto_server: %w", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		})
	}

	url = "http://127.0.0.1:" + strconv.Itoa(port)
	client := &http.Client{Timeout: 5 * time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(startTimeout)
	for {
		if resp, err := client.Get(url + "/moto-api/data.json"); err == nil {
			resp.Body.Close()
			return url, cmd.Process.Pid, stop, nil
		}
		select {
		case <-tick.C:
		case <-exited:
			return "", 0, nil, fmt.Errorf("moto_server exited (%v) before answering:\n%s", cmd.ProcessState, out)
		case <-deadline:
			stop()
			return "", 0, nil, fmt.Errorf("moto_server did not answer on %s within %s:\n%s", url, startTimeout, out)
		}
	}
}

// tail keeps the last max bytes written to it: moto_server logs every
// request, and only what it printed last explains a failure to start.
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
