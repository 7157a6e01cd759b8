package token

import (
	"strings"
	"testing"
)

var secret = []byte("a-site-secret-of-at-least-32-bytes!!")

func TestRoomIsDeterministicAndShaped(t *testing.T) {
	a := Room(secret, "acme", "jordan", 0)
	if a != Room(secret, "acme", "jordan", 0) {
		t.Fatal("the same inputs gave two tokens")
	}
	if len(a) != Len || !Valid(a) || Len*5 < 128 {
		t.Fatalf("token %q: want %d base32 characters carrying at least 128 bits", a, Len)
	}
	if strings.ContainsAny(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ=018") {
		t.Fatalf("token %q is not lowercase unpadded base32", a)
	}
}

func TestEveryInputChangesTheToken(t *testing.T) {
	base := Room(secret, "acme", "jordan", 0)
	for name, other := range map[string]string{
		"rotation":    Room(secret, "acme", "jordan", 1),
		"person":      Room(secret, "acme", "priya", 0),
		"deal":        Room(secret, "globex", "jordan", 0),
		"secret":      Room([]byte("another-secret-of-at-least-32-bytes!"), "acme", "jordan", 0),
		"field split": Room(secret, "acmej", "ordan", 0), // length prefixes keep fields apart
	} {
		if other == base {
			t.Errorf("changing the %s kept the token", name)
		}
	}
	if File(secret, "acme", "pricing") == File(secret, "acme", "pricing", "") {
		t.Error("File ignores an empty part")
	}
}

func TestTokenNamesNothing(t *testing.T) {
	tok := Room(secret, "acme-data-platform", "jordan", 0)
	for _, name := range []string{"acme", "jordan", "data", "platform"} {
		if strings.Contains(tok, name) {
			t.Errorf("token %q contains %q", tok, name)
		}
	}
}

func TestKeyIsHexSHA256(t *testing.T) {
	k := Key("abc")
	if k != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("Key(abc) = %s", k)
	}
	if Valid("short") || Valid(strings.Repeat("A", Len)) || Valid(strings.Repeat("1", Len)) {
		t.Error("Valid accepts what is not a token")
	}
}

func TestLogoIsKeyedAndApart(t *testing.T) {
	a := Logo(secret, "acme", "hash")
	if a != Logo(secret, "acme", "hash") || !Valid(a) {
		t.Fatalf("Logo %q: not stable, or not token-shaped", a)
	}
	for name, other := range map[string]string{
		"secret":  Logo([]byte("another-secret-of-at-least-32-bytes!"), "acme", "hash"),
		"deal":    Logo(secret, "globex", "hash"),
		"content": Logo(secret, "acme", "hash2"),
		"file":    File(secret, "acme", "hash"),
	} {
		if other == a {
			t.Errorf("changing the %s kept the logo's segment", name)
		}
	}
}
