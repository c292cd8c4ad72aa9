// Portions of this file are adapted from Go's log/slog and encoding/json
// packages. Copyright 2022 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the Go source distribution's LICENSE file.

package slogreq

import "unicode/utf8"

// appendEscapedJSONString escapes s for JSON and appends it to buf, without
// the surrounding quotes. It is byte-for-byte log/slog's escaper (itself
// encoding/json's with HTML escaping off): control characters, '"' and '\\'
// are escaped, invalid UTF-8 becomes \ufffd, and U+2028/U+2029 are escaped so
// that lines stay safe for JavaScript consumers.
func appendEscapedJSONString(buf []byte, s string) []byte {
	// Most strings need no escaping: find that out fast, then copy once.
	i := 0
	for i+8 <= len(s) && !needsCare(s[i:i+8]) {
		i += 8
	}
	for i < len(s) && plainASCII[s[i]] {
		i++
	}
	if i == len(s) {
		return append(buf, s...)
	}
	return appendEscapedFrom(buf, s, i)
}

// appendEscapedFrom escapes s, whose bytes before i need no escaping.
func appendEscapedFrom(buf []byte, s string, i int) []byte {
	start := 0
	for i < len(s) {
		if b := s[i]; b < utf8.RuneSelf {
			if safeSet[b] {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch b {
			case '\\', '"':
				buf = append(buf, '\\', b)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				// Bytes < 0x20 other than \t, \n and \r.
				buf = append(buf, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(buf, s[start:]...)
}

// needsCare reports whether any of the 8 bytes of w is a control character,
// '"', '\\' or not ASCII, testing all eight at once (SWAR).
func needsCare(w string) bool {
	x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	less20 := (x - 0x20*lo) &^ x
	quote := x ^ ('"' * lo)
	backslash := x ^ ('\\' * lo)
	return (less20|(quote-lo)&^quote|(backslash-lo)&^backslash|x)&hi != 0
}

// appendQuoted appends s as a quoted, escaped JSON string.
func appendQuoted(buf []byte, s string) []byte {
	buf = append(buf, '"')
	buf = appendEscapedJSONString(buf, s)
	return append(buf, '"')
}

const hex = "0123456789abcdef"

// plainASCII is safeSet over all 256 byte values: false for every byte that
// needs escaping or starts a multi-byte rune.
var plainASCII = func() (t [256]bool) {
	copy(t[:], safeSet[:])
	return t
}()

// safeSet reports, for each ASCII byte, whether it can stand in a JSON
// string without escaping: everything but the control characters, '"' and
// '\\'. DEL (0x7f) is safe, as in encoding/json.
var safeSet = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()
