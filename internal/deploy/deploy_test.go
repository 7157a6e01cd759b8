package deploy

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// unitFile writes the unit into a temp folder with ExecStart pointing at an
// executable that exists (this test binary): systemd-analyze verify checks
// that the command is there, and /usr/local/bin/maproom is not, here.
func unitFile(t *testing.T, unit string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(unit, "ExecStart="+BeaconBinary+" beacon\n") {
		t.Fatalf("the unit does not start %s beacon", BeaconBinary)
	}
	path := filepath.Join(t.TempDir(), BeaconUnitName)
	if err := os.WriteFile(path, []byte(strings.Replace(unit, BeaconBinary, self, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func systemdAnalyze(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed (Debian's systemd package brings it)")
	}
	return bin
}

// TestUnitVerifies: systemd-analyze verify finds nothing to say about the
// unit: every key known, every path and value accepted. A misspelt key is
// only a warning to systemd, so any output fails the test.
func TestUnitVerifies(t *testing.T) {
	bin := systemdAnalyze(t)
	out, err := exec.Command(bin, "verify", unitFile(t, BeaconUnit)).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	// The check itself catches a misspelt key.
	bad := strings.Replace(BeaconUnit, "ProtectSystem=strict", "ProtectSystm=strict", 1)
	out, _ = exec.Command(bin, "verify", unitFile(t, bad)).CombinedOutput()
	if !strings.Contains(string(out), "Unknown key") {
		t.Errorf("systemd-analyze verify said nothing of a misspelt key: %s", out)
	}
}

// TestUnitExposure: systemd's own exposure score of the unit stays in its
// "OK" band (at most 2.0 of 10), so a change that drops a protection fails.
func TestUnitExposure(t *testing.T) {
	bin := systemdAnalyze(t)
	out, err := exec.Command(bin, "security", "--offline=yes", "--threshold=20", "--no-pager", unitFile(t, BeaconUnit)).CombinedOutput()
	if err != nil {
		t.Errorf("systemd-analyze security: %v (exposure above 2.0?)\n%s", err, out)
	}
}

// TestUnitSettings: what the issue asks of the unit, by key, so that a
// verified unit still has each of them.
func TestUnitSettings(t *testing.T) {
	for _, want := range []string{
		"DynamicUser=yes", "StateDirectory=maproom", "ProtectSystem=strict", "NoNewPrivileges=yes",
		"PrivateTmp=yes", "Restart=on-failure", "ExecReload=/bin/kill -HUP $MAINPID",
		"Environment=MAPROOM_CERT_DIR=/var/lib/maproom/certs", "Environment=MAPROOM_LOG_DIR=/var/lib/maproom/events", "Environment=MAPROOM_MANIFEST=/var/lib/maproom/rooms.json",
		"EnvironmentFile=-/etc/maproom/beacon.env", "CapabilityBoundingSet=\n",
	} {
		if !strings.Contains(BeaconUnit, "\n"+want) {
			t.Errorf("the unit has no %q", want)
		}
	}
}
