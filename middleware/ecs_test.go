package middleware_test

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/logging"

	"github.com/slogreq/slogreq/middleware"
)

// ecsField is one line of testdata/ecs_fields.txt.
type ecsField struct {
	typ     string
	allowed []string
}

func loadECSFields(t *testing.T) map[string]ecsField {
	t.Helper()
	f, err := os.Open("testdata/ecs_fields.txt")
	mustNot(t, err)
	defer f.Close()
	fields := map[string]ecsField{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Fields(line)
		if len(parts) < 2 {
			t.Fatalf("bad line in ecs_fields.txt: %q", line)
		}
		fields[parts[0]] = ecsField{typ: parts[1], allowed: parts[2:]}
	}
	mustNot(t, sc.Err())
	return fields
}

// leaves flattens a record into dotted paths and values.
func leaves(prefix string, v any, out map[string]any) {
	m, ok := v.(map[string]any)
	if !ok {
		out[prefix] = v
		return
	}
	for k, child := range m {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		leaves(p, child, out)
	}
}

// Every field the records write outside the aws.* namespace and slog's own
// keys is an ECS field, with a value of the ECS type. The records cover
// success, an API error, a transport error, trace ids and the SDK logger.
func TestRecordFieldsAreECS(t *testing.T) {
	ecs := loadECSFields(t)
	srv := newFakeS3(t)
	var buf logBuf
	logger := newLogger(&buf, slog.LevelDebug)
	opts := &middleware.Options{PerAttempt: true, TraceIDs: func(context.Context) (string, string) {
		return "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	}}
	cfg := testConfig(t, logger, opts)
	client := s3Client(cfg, srv.URL)
	ctx := context.Background()
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(testBucket)})
	mustNot(t, err)
	_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String("missing")})
	mustFail(t, err)
	_, err = s3Client(cfg, "http://127.0.0.1:1").HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String("k")})
	mustFail(t, err)
	middleware.NewSDKLogger(logger).Logf(logging.Warn, "a message from the SDK")

	seen := map[string]bool{}
	for _, r := range buf.records(t) {
		flat := map[string]any{}
		leaves("", map[string]any(r), flat)
		for path, v := range flat {
			switch {
			case path == "time" || path == "level" || path == "msg", strings.HasPrefix(path, "aws."):
				continue
			}
			seen[path] = true
			f, ok := ecs[path]
			if !ok {
				t.Errorf("%s is not an ECS field", path)
				continue
			}
			switch f.typ {
			case "long":
				n, ok := v.(json.Number)
				if _, err := n.Int64(); !ok || err != nil {
					t.Errorf("%s = %v, want an integer (ECS long)", path, v)
				}
			default:
				if _, ok := v.(string); !ok {
					t.Errorf("%s = %v (%T), want a string (ECS %s)", path, v, v, f.typ)
				}
			}
			if s, _ := v.(string); len(f.allowed) > 0 && !slices.Contains(f.allowed, s) {
				t.Errorf("%s = %v, not one of %v", path, v, f.allowed)
			}
		}
	}
	var missing []string
	for name := range ecs {
		if !seen[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("these fields never appeared, so their checks proved nothing: %v", missing)
	}
}
