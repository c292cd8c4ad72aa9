package slogreq

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slogreq/slogreq/internal/jsonstrict"
)

// checkECSLine applies every rule of an ECS line and returns the expanded
// document.
func checkECSLine(t testing.TB, line string) map[string]any {
	t.Helper()
	m, err := jsonstrict.Object(line)
	if err != nil {
		t.Fatalf("%v: %s", err, line)
	}
	tree, err := jsonstrict.ExpandKeys(m)
	if err != nil {
		t.Fatalf("%v: %s", err, line)
	}
	if _, marked := m[TruncatedKey]; !marked {
		var keys []string
		dec := json.NewDecoder(strings.NewReader(line))
		dec.Token()
		for dec.More() {
			k, _ := dec.Token()
			keys = append(keys, k.(string))
			var skip json.RawMessage
			dec.Decode(&skip)
		}
		if len(keys) < 4 || strings.Join(keys[:4], ",") != "@timestamp,log.level,message,ecs.version" {
			t.Fatalf("first keys %v, want @timestamp, log.level, message, ecs.version: %s", keys, line)
		}
	}
	return tree
}

func ecsHandler(w io.Writer, o *Options) *Handler {
	if o == nil {
		o = &Options{}
	}
	o.Format = ECS
	return NewHandler(w, o)
}

func TestECSFollowsTheSpec(t *testing.T) {
	var spec struct {
		Fields map[string]struct {
			Type     string
			Required bool
			TopLevel bool `json:"top_level_field"`
			Index    *int
		}
	}
	data, err := os.ReadFile("testdata/ecs/spec.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	var buf syncBuffer
	h := ecsHandler(&buf, &Options{Level: slog.LevelDebug - 8})
	l := slog.New(h)
	tm := time.Date(2026, 11, 25, 10, 0, 0, 0, time.FixedZone("CET", 3600)) // a whole second
	levels := map[slog.Level]string{
		slog.LevelDebug - 4: "debug", slog.LevelDebug: "debug", slog.LevelInfo: "info",
		slog.LevelInfo + 2: "info", slog.LevelWarn: "warn", slog.LevelWarn + 1: "warn",
		slog.LevelError: "error", slog.LevelError + 4: "error",
	}
	for lv := range levels {
		r := slog.NewRecord(tm, lv, "m", 0)
		if err := h.Handle(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	l.Info("now")
	mustClose(t, h)
	for _, line := range mustValidLines(t, buf.String()) {
		checkECSLine(t, line)
		var m map[string]any
		json.Unmarshal([]byte(line), &m)
		for name, f := range spec.Fields {
			if _, ok := m[name]; f.TopLevel && !ok && f.Required {
				t.Errorf("required top-level field %q missing: %s", name, line)
			}
		}
		ts := m["@timestamp"].(string)
		parsed, err := time.Parse(time.RFC3339, ts)
		if err != nil || !strings.HasSuffix(ts, "Z") || len(ts) != len("2006-01-02T15:04:05.000000000Z") {
			t.Errorf("@timestamp %q: want UTC RFC 3339 with 9 fractional digits (%v)", ts, err)
		}
		if m["message"] == "m" && !parsed.Equal(tm) {
			t.Errorf("@timestamp %s is not %s", ts, tm)
		}
		if m["ecs.version"] != ECSVersion {
			t.Errorf("ecs.version = %v", m["ecs.version"])
		}
	}
	// Levels: the nearest lower name, and the number when it is not named.
	for _, line := range mustValidLines(t, buf.String()) {
		var m struct {
			Level string `json:"log.level"`
			Slog  *struct{ Level int }
		}
		json.Unmarshal([]byte(line), &m)
		if m.Slog != nil {
			lv := slog.Level(m.Slog.Level)
			if levels[lv] != m.Level || isNamedLevel(lv) {
				t.Errorf("level %d written as %q", lv, m.Level)
			}
		} else if m.Level != "info" && m.Level != "debug" && m.Level != "warn" && m.Level != "error" {
			t.Errorf("log.level %q", m.Level)
		}
	}
}

// TestECSLastValueWins pins the merge rule: the fields of With, WithGroup,
// groups, dotted keys and the record form one tree, like assignments into
// nested maps: a later value replaces an earlier one at the same path, above
// it or below it.
func TestECSLastValueWins(t *testing.T) {
	cases := []struct {
		name string
		log  func(*slog.Logger)
		want string // the line after ecs.version
	}{
		{"dotted and group merge", func(l *slog.Logger) {
			l.Info("m", "cloud.target.region", "us-west-2", slog.Group("cloud", slog.Group("target", "provider", "aws")))
		}, `"cloud":{"target":{"region":"us-west-2","provider":"aws"}}}`},
		{"record replaces With", func(l *slog.Logger) {
			l.With("event.action", "Put", "event.outcome", "success").Info("m", slog.Group("event", "action", "Get"))
		}, `"event":{"outcome":"success","action":"Get"}}`},
		{"object replaces value", func(l *slog.Logger) {
			l.Info("m", "a", 1, "a.b", 2)
		}, `"a":{"b":2}}`},
		{"value replaces object", func(l *slog.Logger) {
			l.With("a.b", 1, "a.c", 2).Info("m", "a", "x")
		}, `"a":"x"}`},
		{"WithGroup prefixes", func(l *slog.Logger) {
			l.WithGroup("http.request").With("method", "PUT").WithGroup("body").Info("m", "bytes", 10)
		}, `"http":{"request":{"method":"PUT","body":{"bytes":10}}}}`},
		{"user field replaces built-in", func(l *slog.Logger) {
			l.Info("m", "message", "from attr")
		}, ``},
		{"error becomes type and message", func(l *slog.Logger) {
			l.Info("m", "err", errors.New("boom"), slog.Group("g", "cause", fmt.Errorf("w: %w", io.EOF)))
		}, `"error":{"type":"*errors.errorString","message":"boom"},"g":{"cause":{"type":"*fmt.wrapError","message":"w: EOF"}}}`},
		{"empty key parts", func(l *slog.Logger) {
			l.Info("m", "", 1, "a..b", 2)
		}, `"_":1,"a":{"_":{"b":2}}}`},
		{"siblings from one parent", func(l *slog.Logger) {
			p := l.With("p", 1)
			p.With("c", "a").Info("m")
			p.With("c", "b").Info("m")
		}, `"p":1,"c":"b"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf syncBuffer
			h := ecsHandler(&buf, nil)
			c.log(slog.New(h))
			mustClose(t, h)
			ls := mustValidLines(t, buf.String())
			last := ls[len(ls)-1]
			tree := checkECSLine(t, last)
			if c.name == "user field replaces built-in" {
				if tree["message"] != "from attr" {
					t.Fatalf("message = %v", tree["message"])
				}
				return
			}
			_, rest, _ := strings.Cut(last, `"ecs.version":"`+ECSVersion+`",`)
			if rest != c.want {
				t.Fatalf("got  %s\nwant %s", rest, c.want)
			}
		})
	}
}

func TestECSSourceAndReplaceAttr(t *testing.T) {
	var buf syncBuffer
	var seen []string
	h := ecsHandler(&buf, &Options{AddSource: true, ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 {
			seen = append(seen, a.Key)
		}
		if a.Key == ECSTimestampKey {
			return slog.Attr{} // stable output
		}
		return a
	}})
	slog.New(h).Info("m", "k", 1)
	mustClose(t, h)
	want := []string{ECSTimestampKey, ECSLevelKey, ECSMessageKey, ECSOriginKey, "k"}
	if strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Errorf("ReplaceAttr saw %v, want %v", seen, want)
	}
	line := strings.TrimSpace(buf.String())
	var m struct {
		Log struct {
			Origin struct {
				Function string
				File     struct {
					Name string
					Line int
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatal(err)
	}
	o := m.Log.Origin
	if !strings.HasSuffix(o.Function, "TestECSSourceAndReplaceAttr") || !strings.HasSuffix(o.File.Name, "ecs_test.go") || o.File.Line == 0 {
		t.Errorf("log.origin = %+v", o)
	}
	if !strings.HasPrefix(line, `{"log.level":"info","message":"m","ecs.version":"`) {
		t.Errorf("built-ins not first: %s", line)
	}
}

func TestECSAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	h := ecsHandler(discard{}, nil)
	defer mustClose(t, h)
	r := slog.NewRecord(testTime, slog.LevelInfo, "msg", 0)
	r.AddAttrs(slog.String("event.action", "PutObject"), slog.String("cloud.target.region", "us-west-2"),
		slog.Int("http.response.status_code", 200), slog.Duration("event.duration", time.Second),
		slog.Time("t", testTime), slog.Bool("b", true), slog.Float64("f", 1.5), slog.Any("err", errors.New("x")))
	with := h.WithAttrs([]slog.Attr{slog.String("service.name", "api")}).WithGroup("g")
	ctx := context.Background()
	if n := testing.AllocsPerRun(1000, func() { _ = h.Handle(ctx, r) }); n != 0 {
		t.Errorf("ECS Handle: %v allocs, want 0", n)
	}
	if n := testing.AllocsPerRun(1000, func() { _ = with.Handle(ctx, r) }); n != 0 {
		t.Errorf("ECS Handle with prefix: %v allocs, want 0", n)
	}
}

func TestECSTruncation(t *testing.T) {
	var buf syncBuffer
	h := ecsHandler(&buf, &Options{MaxRecordSize: 600})
	big := strings.Repeat("x", 2000)
	l := slog.New(h)
	l.Info("m", slog.Group("a", "b", 1, "c", big, "d", 2), "e", 3)
	l.Info(big)
	mustClose(t, h)
	for _, line := range mustValidLines(t, buf.String()) {
		if len(line)+1 > 600 {
			t.Fatalf("%d bytes: %s", len(line)+1, line)
		}
		m := checkECSLine(t, line)
		if _, ok := m[TruncatedKey]; !ok {
			t.Fatalf("no marker: %s", line)
		}
	}
}

// FuzzECS checks that arbitrary keys, values, groups and derivations give
// one valid ECS line: no duplicate key at any depth, no dotted-vs-nested
// conflict, the built-ins first.
func FuzzECS(f *testing.F) {
	addFuzzSeeds(f)
	f.Add("m", "a.b", "x", int64(5), 1.0, []byte{0, 9, 0, 10, 11, 12, 0, 1, 10})
	f.Add("m", "log.level", "x", int64(5), 1.0, []byte{0, 7, 12, 0, 9, 0, 10})
	f.Fuzz(func(t *testing.T, msg, key, str string, num int64, flt float64, ops []byte) {
		in := fuzzInput{msg, key, str, num, flt, ops}
		for mode, rep := range replaceModes {
			var buf bytes.Buffer
			w := &syncBuffer{}
			h := ecsHandler(w, &Options{Level: slog.LevelDebug - 10, ReplaceAttr: rep, BufferSize: 64 << 10, MaxRecordSize: 1024 + int(uint64(num)%4096)})
			hh, r := in.build(h)
			_ = hh.Handle(context.Background(), r)
			mustClose(t, h)
			buf.WriteString(w.String())
			line := strings.TrimSuffix(buf.String(), "\n")
			if strings.Contains(line, "\n") || !strings.HasSuffix(buf.String(), "\n") {
				t.Fatalf("mode %d: not one line: %q", mode, buf.String())
			}
			if _, err := jsonstrict.Object(line); err != nil {
				t.Fatalf("mode %d: %v: %s", mode, err, line)
			}
			m, _ := jsonstrict.Object(line)
			if _, err := jsonstrict.ExpandKeys(m); err != nil {
				t.Fatalf("mode %d: %v: %s", mode, err, line)
			}
			if rep == nil { // the fast path applies only without ReplaceAttr
				g := &syncBuffer{}
				gh := generalECS(g, &Options{Level: slog.LevelDebug - 10, BufferSize: 64 << 10, MaxRecordSize: 1024 + int(uint64(num)%4096)})
				hh, r := in.build(gh)
				_ = hh.Handle(context.Background(), r)
				mustClose(t, gh)
				if g.String() != w.String() {
					t.Fatalf("fast and general paths differ:\n fast    %s general %s", w.String(), g.String())
				}
			}
		}
	})
}

var timestampRE = regexp.MustCompile(`"@timestamp":"[^"]*",`)

func stripTimestamp(s string) string { return timestampRE.ReplaceAllString(s, "") }

// generalECS returns an ECS handler that never takes the fast path.
func generalECS(w io.Writer, o *Options) *Handler {
	h := ecsHandler(w, o)
	h.enc.ecsFast = false
	return h
}

// TestECSFastMatchesGeneral: the one-pass writer and the merging encoder
// produce the same bytes wherever the fast path applies, and the fast path
// is taken for the records it is for.
func TestECSFastMatchesGeneral(t *testing.T) {
	logs := []func(*slog.Logger){
		func(l *slog.Logger) { l.Info("m") },
		func(l *slog.Logger) {
			l.Info("m", "a", 1, "b", "x", "err", errors.New("e"), "d", time.Second, "t", testTime)
		},
		func(l *slog.Logger) {
			l.Warn("aws call", slog.Group("event", "action", "PutObject", "outcome", "success", "duration", 12),
				slog.Group("cloud", slog.Group("target", "provider", "aws", "region", "us-west-2", slog.Group("service", "name", "S3"))),
				slog.Group("http", slog.Group("response", "status_code", 200)), slog.Group("error", "code", "X", "message", "y", "type", "z"))
		},
		func(l *slog.Logger) { l.With("service", "api", "a", 1).Info("m", "b", 2) },
		func(l *slog.Logger) {
			l.With("service", "api").With("service", "web").WithGroup("g").Info("m", "b", 2, slog.Group("h"))
		},
		func(l *slog.Logger) { l.WithGroup("g").WithGroup("h").Info("m") },
		func(l *slog.Logger) { l.WithGroup("g").Info("m", "a", slog.Attr{}, slog.Group("e", slog.Attr{})) },
		func(l *slog.Logger) { l.Info("m", slog.Group("g", "a", slog.Attr{}), "level", slog.LevelWarn) },
		func(l *slog.Logger) { l.Log(context.Background(), slog.LevelInfo+1, "odd level", "x", 1) },
		func(l *slog.Logger) { l.Info("m", "e", (*nilErr)(nil), "error", errors.New("top")) },
		func(l *slog.Logger) { l.WithGroup("g").Info("m", "err", errors.New("nested")) },
	}
	for i, log := range logs {
		var fast, general syncBuffer
		fh, gh := ecsHandler(&fast, nil), generalECS(&general, nil)
		log(slog.New(fh))
		log(slog.New(gh))
		mustClose(t, fh)
		mustClose(t, gh)
		if f, g := stripTimestamp(fast.String()), stripTimestamp(general.String()); f != g {
			t.Errorf("case %d:\n fast    %s general %s", i, f, g)
		}
		for _, line := range mustValidLines(t, fast.String()) {
			checkECSLine(t, line)
		}
	}
	// The fast path is taken for a middleware-like record.
	h := ecsHandler(discard{}, nil)
	defer mustClose(t, h)
	r := slog.NewRecord(testTime, slog.LevelInfo, "aws call", 0)
	r.AddAttrs(slog.Group("event", "action", "PutObject"), slog.Group("aws", "attempts", 1))
	s := h.enc.newState(nil, false)
	if !s.appendECSFast(&r) {
		t.Error("a plain grouped record does not take the fast path")
	}
}

func TestECSFastAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	h := ecsHandler(discard{}, nil)
	defer mustClose(t, h)
	r := slog.NewRecord(testTime, slog.LevelWarn, "aws call", 0)
	r.AddAttrs(slog.Group("event", "action", "PutObject", "outcome", "success", "duration", 12),
		slog.Group("cloud", slog.Group("target", "provider", "aws", "region", "us-west-2")),
		slog.Group("http", slog.Group("response", "status_code", 200)),
		slog.Any("err", errors.New("x")), slog.Time("t", testTime), slog.Float64("f", 2.5))
	with := h.WithAttrs([]slog.Attr{slog.String("service", "api")})
	ctx := context.Background()
	for name, hh := range map[string]slog.Handler{"root": h, "with": with} {
		if n := testing.AllocsPerRun(1000, func() { _ = hh.Handle(ctx, r) }); n != 0 {
			t.Errorf("%s: %v allocs, want 0", name, n)
		}
	}
}
