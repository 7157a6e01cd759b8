// Package token derives the unguessable room links of maproom.
//
// A token is HMAC-SHA256(secret, deal id, stakeholder id, rotation counter),
// truncated to 160 bits and encoded as lowercase unpadded base32 (32
// characters). The same secret and inputs give the same token on any
// machine; bumping the rotation counter gives an unrelated one. Fields are
// length-prefixed so no two different inputs share an HMAC message.
package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"strings"
)

// Bits is the strength of a token.
const Bits = 160

// Len is the length of a token in characters.
const Len = Bits / 5

var enc = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Room returns the token of stakeholder's room in deal at the given rotation.
func Room(secret []byte, deal, stakeholder string, rotation int) string {
	return derive(secret, "room", deal, stakeholder, itoa(rotation))
}

// File returns an unguessable path segment for a published collateral file;
// parts should name the deal, the collateral, its content hash and the
// audience (with rotations), so that a change of any of them moves the file.
func File(secret []byte, parts ...string) string {
	return derive(secret, append([]string{"file"}, parts...)...)
}

// Logo returns the unguessable folder segment of a deal's buyer logo,
// keyed by the secret over the deal and the logo's content hash: a buyer's
// logo is public, so a name derived from it and the deal id alone would
// let anyone with the logo test guessed deal ids against the rooms' host.
// The same secret, deal and logo give the same segment; another secret or
// logo gives an unrelated one. Its own label keeps it apart from Room and
// File whatever the inputs.
func Logo(secret []byte, deal, contentHash string) string {
	return derive(secret, "logo", deal, contentHash)
}

func derive(secret []byte, fields ...string) string {
	m := hmac.New(sha256.New, secret)
	var n [8]byte
	for _, f := range fields {
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		m.Write(n[:])
		m.Write([]byte(f))
	}
	return enc.EncodeToString(m.Sum(nil)[:Bits/8])
}

func itoa(i int) string {
	var b [20]byte
	return string(binary.AppendVarint(b[:0], int64(i)))
}

// Key returns the hex SHA-256 of a token: the only form the private manifest
// and the beacon keep.
func Key(tok string) string {
	s := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(s[:])
}

// Valid reports whether s has the shape of a token (it says nothing about
// whether any room has it).
func Valid(s string) bool {
	if len(s) != Len {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz234567") == ""
}
