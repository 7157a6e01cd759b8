package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// AddrFileEnv names the file a child writes its listening address to.
const AddrFileEnv = "LOADGEN_ADDR_FILE"

// Child is a server running as a child process: the test binary,
// re-executed with an environment that its TestMain recognises.
type Child struct {
	Cmd  *exec.Cmd
	Addr string        // host:port it listens on
	Out  *bytes.Buffer // its standard error
}

// StartChild re-executes the test binary (running no test) with env added
// to this process's environment, and returns once the child has written
// its address (see [Listen]), within 20 s. name tells children apart in
// dir, where the address file is written. The child is killed when t ends
// if it is still running.
func StartChild(t testing.TB, dir, name string, env ...string) *Child {
	t.Helper()
	addrFile := filepath.Join(dir, name+".addr")
	os.Remove(addrFile)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), AddrFileEnv+"="+addrFile), env...)
	c := &Child{Cmd: cmd, Out: &bytes.Buffer{}}
	cmd.Stderr = c.Out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(addrFile); err == nil {
			c.Addr = string(b)
			return c
		}
	}
	t.Fatalf("child %s did not start: %s", name, c.Out)
	return nil
}

// Main is a test binary's TestMain when it also serves as a child: with
// the environment variable env set (to a mode), it runs serve instead of
// the tests, with a context that ends on SIGTERM or an interrupt and a
// listener from [Listen], and exits 0 if serve returns nil and 1
// otherwise; with CHILD_CPUPROFILE set it writes a CPU profile to that
// path plus mode and process id. Without env set it runs the tests.
func Main(m *testing.M, env string, serve func(ctx context.Context, mode string, ln net.Listener) error) {
	mode := os.Getenv(env)
	if mode == "" {
		os.Exit(m.Run())
	}
	if err := runChild(mode, serve); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func runChild(mode string, serve func(ctx context.Context, mode string, ln net.Listener) error) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	ln, err := Listen()
	if err != nil {
		return err
	}
	if p := os.Getenv("CHILD_CPUPROFILE"); p != "" {
		f, err := os.Create(fmt.Sprintf("%s.%s.%d", p, mode, os.Getpid()))
		if err != nil {
			ln.Close()
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			ln.Close()
			return err
		}
		defer pprof.StopCPUProfile()
	}
	return serve(ctx, mode, ln)
}

// Listen is the child's side: it listens on a free port of 127.0.0.1 and
// writes the address to the file $LOADGEN_ADDR_FILE names, atomically.
func Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addrFile := os.Getenv(AddrFileEnv)
	if addrFile == "" {
		ln.Close()
		return nil, fmt.Errorf("loadgen: %s is not set: start the child with StartChild", AddrFileEnv)
	}
	if err := os.WriteFile(addrFile+".tmp", []byte(ln.Addr().String()), 0o644); err != nil {
		ln.Close()
		return nil, err
	}
	if err := os.Rename(addrFile+".tmp", addrFile); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// Stop sends SIGTERM and waits for a clean exit; with CHILD_VERBOSE set it
// logs the child's standard error.
func (c *Child) Stop(t testing.TB) {
	t.Helper()
	c.Cmd.Process.Signal(syscall.SIGTERM)
	if err := c.Cmd.Wait(); err != nil {
		t.Fatalf("child exit: %v\n%s", err, c.Out)
	}
	if os.Getenv("CHILD_VERBOSE") != "" {
		t.Logf("child stderr:\n%s", c.Out)
	}
}

// PeakRSS returns the child's peak resident memory in bytes (Linux), -1
// when unknown.
func (c *Child) PeakRSS() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.Cmd.Process.Pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return -1
}

// CPUTime returns the child's user and system CPU time so far (Linux), 0
// when unknown.
func (c *Child) CPUTime() time.Duration { return ProcessCPU(c.Cmd.Process.Pid) }

// ProcessCPU returns the user and system CPU time of process pid so far
// (Linux), 0 when unknown.
func ProcessCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// EnvInt returns the positive integer in the environment variable name,
// or def when it is unset or not a positive integer: how the benchmarks
// take their rounds, seconds and knobs.
func EnvInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
