package pgstore

import (
	"context"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/maproom/maproom/analytics/beacon"
	"github.com/maproom/maproom/internal/testkit/loadgen"
)

// pgServer is a throwaway PostgreSQL cluster of the test's own, in a
// temporary folder on a free port of 127.0.0.1, that a test may stop and
// start (the shared one on 5432 is used by other packages' tests at the same
// time and must never be restarted).
type pgServer struct {
	bin, dir, data string
	port           int
	asUser         string // run the binaries as this user (root may not run PostgreSQL); "" as ourselves
}

// startPGServer initdb's and starts a cluster, or skips t naming what is
// missing: PostgreSQL's server binaries (MAPROOM_TEST_PGBIN, else the
// newest /usr/lib/postgresql/*/bin) and, as root, a postgres user to run
// them as. The cluster is removed when t ends.
func startPGServer(t *testing.T) *pgServer {
	t.Helper()
	bin := os.Getenv("MAPROOM_TEST_PGBIN")
	if bin == "" {
		dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
		sort.Slice(dirs, func(i, j int) bool { return verOf(dirs[i]) < verOf(dirs[j]) })
		if len(dirs) > 0 {
			bin = dirs[len(dirs)-1]
		}
	}
	for _, b := range []string{"initdb", "pg_ctl", "postgres"} {
		if _, err := os.Stat(filepath.Join(bin, b)); err != nil {
			t.Skipf("no PostgreSQL server binaries to run a throwaway cluster (set MAPROOM_TEST_PGBIN to the folder of initdb and pg_ctl, or install postgresql): %v", err)
		}
	}
	s := &pgServer{bin: bin}
	dir, err := os.MkdirTemp("", "maproom-pg-")
	if err != nil {
		t.Fatal(err)
	}
	s.dir, s.data = dir, filepath.Join(dir, "data")
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skipf("running as root, PostgreSQL needs another user to run as, and there is no postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		s.asUser = "postgres"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s.run(t, "initdb", "-D", s.data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale", "C")
	s.start(t)
	t.Cleanup(func() { s.pgctl(nil, "stop", "-m", "immediate") })
	return s
}

func verOf(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return v
}

// url is the connection string of the cluster's postgres database.
func (s *pgServer) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
}

func (s *pgServer) command(name string, args ...string) *exec.Cmd {
	if s.asUser != "" {
		return exec.Command("runuser", append([]string{"-u", s.asUser, "--", filepath.Join(s.bin, name)}, args...)...)
	}
	return exec.Command(filepath.Join(s.bin, name), args...)
}

func (s *pgServer) run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := s.command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// pgctl runs pg_ctl on the cluster; t nil ignores a failure.
func (s *pgServer) pgctl(t *testing.T, args ...string) {
	args = append([]string{"-D", s.data, "-w", "-t", "30"}, args...)
	out, err := s.command("pg_ctl", args...).CombinedOutput()
	if err != nil && t != nil {
		logf, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
		t.Fatalf("pg_ctl %v: %v\n%s\n%s", args, err, out, logf)
	}
}

// start starts the server and waits until it takes connections. Only
// 127.0.0.1 is listened on; the socket folder is the cluster's own.
func (s *pgServer) start(t *testing.T) {
	t.Helper()
	s.pgctl(t, "start", "-l", filepath.Join(s.dir, "server.log"),
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on", s.port, s.dir))
}

// crash stops the server as a crash would: immediate shutdown, no
// checkpoint; the next start recovers from the WAL.
func (s *pgServer) crash(t *testing.T) { t.Helper(); s.pgctl(t, "stop", "-m", "immediate") }

// TestDatabaseRestart: two beacon processes on one PostgreSQL under load;
// the database crashes (immediate shutdown) mid-load and starts again.
// Requests are refused with 503 while it is away, the beacons recover by
// themselves, and every acknowledged event is stored exactly once.
func TestDatabaseRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster and child processes")
	}
	srv := startPGServer(t)
	dir := t.TempDir()
	// Enough rooms that the load stays far inside each room's rate budget
	// (beacon.DefaultTokenRate: a burst of 60 events), which this test
	// does not mean to test: each beacon serves half of them, and at a few
	// thousand acknowledged events a round a room gets a few. Refused
	// requests spend no budget (the handler refunds a failed append), so
	// however many 503s the outage brings, they cannot drain it.
	const rooms = 4096
	toks := loadgen.WriteManifest(t, dir, rooms, benchSecret)
	cfg := childConfig{dir: dir, store: srv.url(), schema: "maproom"}
	a := startChild(t, "postgres", "pg-a", cfg)
	b := startChild(t, "postgres", "pg-b", cfg)
	const conns = 8
	note := func(round int) func(g, i int) (string, int) {
		return func(g, i int) (string, int) { return fmt.Sprintf("%08x%08x%016x", round, g, i/8), i % 8 }
	}
	load := func(round int, d time.Duration) loadgen.Result {
		l := loadgen.Load{Addrs: []string{a.Addr, b.Addr}, Path: beacon.NotePath, Conns: conns, Duration: d,
			Tokens: toks, Base: round * 1_000_000, Note: note(round)}
		return l.Run()
	}
	healthy := func(addr string) bool {
		resp, err := http.Get("http://" + addr + beacon.HealthPath)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}

	during := make(chan loadgen.Result)
	go func() { during <- load(1, 5*time.Second) }()
	time.Sleep(1500 * time.Millisecond)
	srv.crash(t)
	time.Sleep(time.Second)
	if healthy(a.Addr) || healthy(b.Addr) {
		t.Error("a beacon's /healthz says ok while the database is down")
	}
	srv.start(t)
	r1 := <-during
	// A generous bound: on a loaded CI machine crash recovery and the
	// beacons' backoff (up to 5 s between attempts) take longer than here.
	for deadline := time.Now().Add(60 * time.Second); !healthy(a.Addr) || !healthy(b.Addr); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the beacons did not recover within 60 s of the database's restart\n%s\n%s", a.Out, b.Out)
		}
	}
	r2 := load(2, time.Second)
	// The most events one room had acknowledged in both rounds: were it
	// near the burst, a 429 rate-token after recovery would be the test's
	// load, not the product.
	perRoom := map[int]int{}
	for round, r := range map[int]loadgen.Result{1: r1, 2: r2} {
		for g, is := range r.Acked {
			for _, i := range is {
				perRoom[(round*1_000_000+int(i)*conns+g)%rooms]++
			}
		}
	}
	busiest := 0
	for _, n := range perRoom {
		busiest = max(busiest, n)
	}
	if r2.Errors > 0 || len(r2.Latencies) == 0 {
		t.Fatalf("after recovery: %d acknowledged, %d errors (the busiest room had %d events acknowledged, its burst is %d)",
			len(r2.Latencies), r2.Errors, busiest, beacon.DefaultTokenRate.Burst)
	}
	if r1.Errors == 0 {
		t.Errorf("no request was refused while the database was down (%d acknowledged)", len(r1.Latencies))
	}
	a.Stop(t)
	b.Stop(t)

	s := openTest(t, srv.url(), cfg.schema, Options{})
	rows, err := s.pool.Query(context.Background(), `SELECT load, seq, count(*) OVER (PARTITION BY load, seq) FROM events`)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{}
	for rows.Next() {
		var load []byte
		var seq, n int64
		if err := rows.Scan(&load, &seq, &n); err != nil {
			t.Fatal(err)
		}
		stored[fmt.Sprintf("%s/%d", hex.EncodeToString(load), seq)] = int(n)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	acked := 0
	for round, r := range map[int]loadgen.Result{1: r1, 2: r2} {
		for g, is := range r.Acked {
			for _, i := range is {
				acked++
				id, seq := note(round)(g, int(i))
				if n := stored[fmt.Sprintf("%s/%d", id, seq)]; n != 1 {
					t.Fatalf("acknowledged event %s/%d (round %d) is stored %d times", id, seq, round, n)
				}
			}
		}
	}
	t.Logf("%d acknowledged (%d during the load with the crash, %d refused there), %d stored; at most %d events acknowledged for one room",
		acked, len(r1.Latencies), r1.Errors, len(stored), busiest)
}
