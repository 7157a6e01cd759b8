package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/maproom/maproom/generator"
)

// TestNewSiteConfig checks that the settings new writes are valid and,
// every setting commented out, give exactly the defaults.
func TestNewSiteConfig(t *testing.T) {
	p := filepath.Join(t.TempDir(), generator.ConfigFile)
	if err := os.WriteFile(p, []byte(newSiteConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	got, ps := generator.LoadConfig(p)
	if len(ps) > 0 || got == nil {
		t.Fatalf("the settings new writes do not load: %v", ps)
	}
	want, _ := generator.LoadConfig(filepath.Join(t.TempDir(), "none.toml"))
	got.File = ""
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the settings new writes give %+v, not the defaults %+v", got, want)
	}
}
