package jsonstrict

import (
	"fmt"
	"testing"
)

func TestObject(t *testing.T) {
	for _, c := range []struct {
		line string
		ok   bool
	}{
		{`{"a":1,"b":{"c":[1,{"d":2}]}}`, true},
		{`{"a":1,"a":2}`, false},
		{`{"a":{"b":1,"b":2}}`, false},
		{`{"a":[{"x":1,"x":1}]}`, false},
		{`{"a":1} {}`, false},
		{`[1]`, false},
		{`{"a":`, false},
	} {
		if _, err := Object(c.line); (err == nil) != c.ok {
			t.Errorf("Object(%s) = %v, want ok %v", c.line, err, c.ok)
		}
	}
}

func TestExpandKeys(t *testing.T) {
	for _, c := range []struct {
		line string
		want string // fmt of the expanded map, or "" for an error
	}{
		{`{"log.level":"info","log":{"origin":{"file":{"line":1}}}}`, "map[log:map[level:info origin:map[file:map[line:1]]]]"},
		{`{"a.b":1,"a":{"c":2}}`, "map[a:map[b:1 c:2]]"},
		{`{"a.b":1,"a":{"b":2}}`, ""},
		{`{"a.b":1,"a":3}`, ""},
		{`{"a":{"b.c":1,"b":{"c":2}}}`, ""},
	} {
		m, err := Object(c.line)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ExpandKeys(m)
		switch {
		case c.want == "" && err == nil:
			t.Errorf("%s: expanded to %v, want a conflict", c.line, got)
		case c.want != "" && (err != nil || fmt.Sprint(got) != c.want):
			t.Errorf("%s: got %v (%v), want %s", c.line, got, err, c.want)
		}
	}
}
