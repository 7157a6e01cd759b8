package beacon

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/testkit/loadgen"
)

// TestConnectionFloodMemory runs the real beacon in a child process and
// opens connections far past its cap (DefaultMaxConns) from this one, on
// 127.0.0.1, left idle: every other one after one request, the rest
// without a byte. A real event is still answered 204, and the beacon's
// peak resident memory stays under its 64 MB budget. Without the cap the
// beacon held every connection (about 10 KB each). MAPROOM_TEST_FLOOD sets
// the number of connections (default 8000; this process needs as many
// file descriptors).
func TestConnectionFloodMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process and opens thousands of connections")
	}
	flood := loadgen.EnvInt("MAPROOM_TEST_FLOOD", 8000)
	const budget = 64 << 20
	dir := t.TempDir()
	toks := writeManifest(t, dir, 16)
	c := startChild(t, "beacon", dir, "always")
	defer c.stop(t)
	base := c.PeakRSS()

	conns := make([]net.Conn, 0, flood)
	defer func() {
		for _, cn := range conns {
			cn.Close()
		}
	}()
	req := []byte("GET " + HealthPath + " HTTP/1.1\r\nHost: beacon\r\n\r\n")
	var buf [4096]byte
	for i := range flood {
		cn, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
		if err != nil {
			t.Fatalf("connection %d: %v (raise the open-file limit, or set MAPROOM_TEST_FLOOD lower)", i, err)
		}
		conns = append(conns, cn)
		if i%2 == 1 {
			// One request, then idle. A connection the beacon already
			// closed at its cap fails here, as a shed client's would.
			cn.SetDeadline(time.Now().Add(2 * time.Second))
			if _, err := cn.Write(req); err == nil {
				cn.Read(buf[:])
			}
		}
	}

	rc, err := dialRaw(c.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.close()
	code, err := rc.post(c.addr, benchAddr(1), appendNote(nil, toks[0], fmt.Sprintf("%032x", 1), 0))
	if err != nil || code != 204 {
		t.Fatalf("a real event past %d idle connections: %d, %v; want 204", flood, code, err)
	}
	rss := c.PeakRSS()
	fds := -1
	if ents, err := os.ReadDir("/proc/" + strconv.Itoa(c.cmd.Process.Pid) + "/fd"); err == nil {
		fds = len(ents)
	}
	t.Logf("%d connections: beacon peak RSS %.1f MB (%.1f MB before), %d file descriptors open (cap %d)",
		flood, float64(rss)/(1<<20), float64(base)/(1<<20), fds, DefaultMaxConns)
	if rss < 0 {
		t.Skip("no peak RSS to read (not Linux)")
	}
	if rss > budget {
		t.Fatalf("beacon peak RSS %.1f MB under %d idle connections, over its 64 MB budget", float64(rss)/(1<<20), flood)
	}
	if fds > DefaultMaxConns+64 {
		t.Fatalf("beacon holds %d file descriptors, past its cap of %d connections", fds, DefaultMaxConns)
	}
}
