package middleware

import "strings"

// redacted replaces secret values.
const redacted = "[REDACTED]"

// secretNames are the header, query, XML and JSON names whose values are
// credentials or signatures, in lower case. A name only matches as a whole
// word, so x-amz-server-side-encryption-customer-key-md5 (a checksum, not a
// secret) is kept.
var secretNames = []string{
	"authorization",
	"proxy-authorization",
	"cookie",
	"set-cookie",
	"x-amz-security-token",
	"x-amz-signature",
	"x-amz-credential",
	"x-amz-server-side-encryption-customer-key",
	"x-amz-copy-source-server-side-encryption-customer-key",
	"secretaccesskey",
	"sessiontoken",
	"accesstoken",
	"refreshtoken",
	"clientsecret",
}

// redact removes URL queries and secret values from text that is about to
// be logged: error messages, and the SDK's own log messages, which can hold
// HTTP dumps, canonical requests and STS or SSO responses. It returns s
// itself when there is nothing to remove.
//
// URL queries come out first: removing a query joins the text around it,
// and the secret rules must see the joined text for the result to be stable
// (redact(redact(s)) == redact(s)).
func redact(s string) string {
	return redactSecrets(redactURLQueries(s))
}

// redactURLQueries drops the query (and fragment) of every http:// or
// https:// URL in s. A URL ends at whitespace, a quote, an angle bracket or
// a backtick, which is how URLs are delimited in Go error messages, logs
// and markup.
func redactURLQueries(s string) string {
	var b strings.Builder
	last := 0 // s[last:] is not yet copied
	for i := 0; i < len(s); {
		n := schemeLen(s[i:])
		if n == 0 {
			i++
			continue
		}
		end := i + n
		for end < len(s) && !isURLEnd(s[end]) {
			end++
		}
		if q := strings.IndexByte(s[i:end], '?'); q >= 0 {
			if b.Len() == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[last : i+q])
			last = end
		}
		i = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// schemeLen returns the length of an "http://" or "https://" prefix of s,
// in any case, or 0.
func schemeLen(s string) int {
	switch {
	case hasPrefixFold(s, "http://"):
		return len("http://")
	case hasPrefixFold(s, "https://"):
		return len("https://")
	}
	return 0
}

func isURLEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\f', '\v', '"', '\'', '<', '>', '`':
		return true
	}
	return false
}

// redactSecrets replaces the value that follows a secret name in the forms
// an HTTP dump, a canonical request, a query, XML or JSON use:
//
//	Name: value            to the end of the line
//	name=value             to &, ',', ';', whitespace, a quote or bracket
//	<Name>value</Name>     to the next '<'
//	"name": "value"        the JSON string
func redactSecrets(s string) string {
	var b strings.Builder
	last := 0 // s[last:] is not yet copied
	for i := 0; i < len(s); i++ {
		if i > 0 && isNameByte(s[i-1]) {
			continue
		}
		name := matchSecretName(s[i:])
		if name == 0 {
			continue
		}
		start, end := secretValue(s, i, i+name)
		if start < 0 {
			continue
		}
		if start < end && s[start:end] != redacted {
			if b.Len() == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[last:start])
			b.WriteString(redacted)
			last = end
		}
		// Skip the value: a secret name inside it is part of the secret.
		i = max(end, i+name) - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// matchSecretName returns the length of the secret name s starts with, or
// 0. The name must end at a non-name byte.
func matchSecretName(s string) int {
	for _, name := range secretNames {
		if hasPrefixFold(s, name) && (len(s) == len(name) || !isNameByte(s[len(name)])) {
			return len(name)
		}
	}
	return 0
}

// secretValue returns the bounds of the value after the name s[at:j], or
// start -1 when no value form follows it.
func secretValue(s string, at, j int) (start, end int) {
	if j >= len(s) {
		return -1, -1
	}
	switch s[j] {
	case ':':
		start = skipBlanks(s, j+1)
		end = start
		for end < len(s) && s[end] != '\n' && s[end] != '\r' {
			end++
		}
		return start, end
	case '=':
		start = j + 1
		end = start
		for end < len(s) && !isQueryValueEnd(s[end]) {
			end++
		}
		return start, end
	case '>':
		if at == 0 || s[at-1] != '<' {
			return -1, -1
		}
		start = j + 1
		end = start
		for end < len(s) && s[end] != '<' {
			end++
		}
		return start, end
	case '"':
		k := skipBlanks(s, j+1)
		if k >= len(s) || s[k] != ':' {
			return -1, -1
		}
		k = skipBlanks(s, k+1)
		if k >= len(s) || s[k] != '"' {
			return -1, -1
		}
		start = k + 1
		end = start
		for end < len(s) && s[end] != '"' {
			if s[end] == '\\' && end+1 < len(s) {
				end++
			}
			end++
		}
		return start, min(end, len(s))
	}
	return -1, -1
}

func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

func isQueryValueEnd(c byte) bool {
	switch c {
	case '&', ',', ';':
		return true
	}
	return isURLEnd(c)
}

// isNameByte reports bytes that continue a header or parameter name.
func isNameByte(c byte) bool {
	return c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// hasPrefixFold is strings.HasPrefix ignoring ASCII case; prefix is lower
// case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}
