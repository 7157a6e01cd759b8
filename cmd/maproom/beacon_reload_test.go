package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBeaconReloadsOnSIGHUP runs the maproom binary's beacon, as systemd's
// ExecReload does it sends SIGHUP, and the beacon reads its manifest again
// even though the file looks unchanged (same size and time), which only
// the signal makes it do.
func TestBeaconReloadsOnSIGHUP(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary: not in -short")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build maproom with")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "maproom")
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	root := filepath.Join(dir, "site")
	copyExample(t, root)
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"build", "-root", root, "-today", "2026-11-22"}, nil, &out, &errb); err != nil {
		t.Fatalf("build: %v\n%s", err, errb.String())
	}
	manifestPath := filepath.Join(root, ".maproom", "rooms.json")
	fi, err := os.Stat(manifestPath)
	if err != nil {
		t.Fatal(err)
	}

	var log lockedBuffer
	cmd := exec.Command(bin, "beacon", "-addr", loopbackAddr(t), "-manifest", manifestPath, "-log-dir", filepath.Join(dir, "events"), "-instance", "hup")
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}()
	waitLog := func(what string, d time.Duration) bool {
		for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if strings.Contains(log.String(), what) {
				return true
			}
		}
		return false
	}
	if !waitLog("beacon listening", 15*time.Second) {
		t.Fatalf("the beacon did not start:\n%s", log.String())
	}
	// Past the watcher's first look (it polls every 2 s), the unchanged
	// file is not read again by itself.
	time.Sleep(2500 * time.Millisecond)
	if err := os.Chtimes(manifestPath, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(log.String(), "manifest reloaded") {
		t.Fatalf("reloaded before the signal:\n%s", log.String())
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if !waitLog("manifest reloaded", 10*time.Second) {
		t.Fatalf("no reload after SIGHUP:\n%s", log.String())
	}
	select {
	case err := <-done:
		t.Fatalf("the beacon ended on SIGHUP: %v\n%s", err, log.String())
	default:
	}
}
