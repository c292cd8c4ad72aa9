package middleware

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", ""},
		{"nothing to do", "dial tcp 127.0.0.1:1: connect: connection refused", "dial tcp 127.0.0.1:1: connect: connection refused"},
		{"url error", `Get "http://127.0.0.1:1/b/k?versionId=v&x-id=GetObject": dial tcp`, `Get "http://127.0.0.1:1/b/k": dial tcp`},
		{"https upper case", "see HTTPS://h.example/p?X=1#frag now", "see HTTPS://h.example/p now"},
		{"url at end", "https://h/p?a=b", "https://h/p"},
		{"url without query", "https://h/p, then ?q", "https://h/p, then ?q"},
		{"two urls", "http://a/?x http://b/y?z", "http://a/ http://b/y"},
		{"header", "Authorization: AWS4-HMAC-SHA256 Credential=AKID/s, Signature=abc\r\nHost: h", "Authorization: [REDACTED]\r\nHost: h"},
		{"canonical header", "x-amz-security-token:TOKEN\nx-amz-date:20260101", "x-amz-security-token:[REDACTED]\nx-amz-date:20260101"},
		{"query", "GET /b?X-Amz-Credential=AKID%2F1&X-Amz-Signature=abc&x-id=GetObject HTTP/1.1", "GET /b?X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]&x-id=GetObject HTTP/1.1"},
		{"xml", "<Credentials><SecretAccessKey>s3cr3t</SecretAccessKey><SessionToken>tok</SessionToken></Credentials>", "<Credentials><SecretAccessKey>[REDACTED]</SecretAccessKey><SessionToken>[REDACTED]</SessionToken></Credentials>"},
		{"json", `{"roleCredentials":{"accessKeyId":"A","secretAccessKey": "s\"x","sessionToken":"t"}}`, `{"roleCredentials":{"accessKeyId":"A","secretAccessKey": "[REDACTED]","sessionToken":"[REDACTED]"}}`},
		{"sse-c key, not its md5", "X-Amz-Server-Side-Encryption-Customer-Key: k\nX-Amz-Server-Side-Encryption-Customer-Key-Md5: m", "X-Amz-Server-Side-Encryption-Customer-Key: [REDACTED]\nX-Amz-Server-Side-Encryption-Customer-Key-Md5: m"},
		{"name inside a word", "myauthorization: x", "myauthorization: x"},
		{"signed headers list", "host;x-amz-date;x-amz-security-token\n", "host;x-amz-date;x-amz-security-token\n"},
		{"already redacted", "Authorization: [REDACTED]", "Authorization: [REDACTED]"},
		{"empty value", "X-Amz-Security-Token:\n", "X-Amz-Security-Token:\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := redact(tc.in); got != tc.want {
				t.Errorf("redact(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// Nothing to remove returns the string itself, without copying.
func TestRedactDoesNotCopyCleanText(t *testing.T) {
	s := strings.Repeat("connection reset by peer; ", 10)
	if n := testing.AllocsPerRun(100, func() { _ = redact(s) }); n != 0 {
		t.Fatalf("redact of clean text allocates %v times", n)
	}
}

// FuzzRedact checks, for any text: redact is stable (a second pass changes
// nothing), keeps valid UTF-8 valid, leaves no query in any http(s) URL,
// and removes an X-Amz-Security-Token header value placed anywhere in it.
func FuzzRedact(f *testing.F) {
	f.Add(`Get "http://127.0.0.1:1/b/k?versionId=v": dial tcp`, "SessionTokenValue01")
	f.Add("Authorization: AWS4 Credential=A/s, Signature=x\r\nX-Amz-Security-Token: t\r\n", "abcdefgh12345678")
	f.Add(`<SessionToken>t</SessionToken>{"secretAccessKey":"k"}`, "zzzzzzzzzz")
	f.Fuzz(func(t *testing.T, text, secret string) {
		out := redact(text)
		if again := redact(out); again != out {
			t.Fatalf("not stable:\n in  %q\n out %q\n out2 %q", text, out, again)
		}
		if utf8.ValidString(text) && !utf8.ValidString(out) {
			t.Fatalf("valid UTF-8 became invalid: %q -> %q", text, out)
		}
		for i := 0; i < len(out); i++ {
			n := schemeLen(out[i:])
			if n == 0 {
				continue
			}
			end := i + n
			for end < len(out) && !isURLEnd(out[end]) {
				end++
			}
			if strings.IndexByte(out[i:end], '?') >= 0 {
				t.Fatalf("a URL kept its query: %q in %q", out[i:end], out)
			}
			i = end - 1
		}

		if len(secret) < 8 || !isAlnum(secret) || strings.Contains(text, secret) {
			return
		}
		// The secret is a run of letters and digits and the header line is
		// delimited by newlines, so it cannot merge with the text around it.
		in := text + "\nX-Amz-Security-Token: " + secret + "\n" + text
		if out := redact(in); strings.Contains(out, secret) {
			t.Fatalf("secret survived: %q -> %q", in, out)
		}
	})
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
