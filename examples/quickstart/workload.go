package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// listPageSize is the MaxKeys of each ListObjectsV2 call, small so that
// listing takes several calls, as it does in a real bucket.
const listPageSize = 50

// plural writes n's noun, "page" or "pages".
func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// tally counts the SDK calls the workload makes, by operation, so that the
// run can check the log files against an independent count.
type tally struct {
	mu     sync.Mutex
	calls  map[string]int
	failed map[string]int
}

// call counts one call of op that returned err, and returns err.
func (t *tally) call(op string, err error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.calls[op]++
	if err != nil {
		t.failed[op]++
	}
	return err
}

// workload is what an application might do with a bucket: make sure it
// exists, upload o.N objects from o.Workers goroutines, list them, download
// and inspect some, ask for a key that is not there, and delete what it
// wrote. Every SDK call goes through t; any unexpected result is an error.
func workload(ctx context.Context, o options, c *client, t *tally, prog *progress) error {
	api, bucket := c.s3, aws.String(c.bucket)
	// A prefix of its own, so that a real bucket's other objects are neither
	// listed nor touched.
	prefix := "slogreq-quickstart/" + time.Now().UTC().Format("20060102T150405.000Z")

	if err := ensureBucket(ctx, o, c, t); err != nil {
		return err
	}
	prog.linef("bucket %s ready on %s", c.bucket, c.target)

	keys := make([]string, o.N)
	for i := range keys {
		keys[i] = fmt.Sprintf("%s/obj-%05d", prefix, i)
	}
	prog.start("PutObject", o.N)
	err := parallel(ctx, o.Workers, o.N, func(ctx context.Context, i int) error {
		_, err := api.PutObject(ctx, &s3.PutObjectInput{
			Bucket:      bucket,
			Key:         &keys[i],
			Body:        bytes.NewReader(content(i)),
			ContentType: aws.String("application/octet-stream"),
		})
		if t.call("PutObject", err) != nil {
			return fmt.Errorf("PutObject %s: %w", keys[i], err)
		}
		prog.tick()
		return nil
	})
	prog.finish()
	if err != nil {
		return err
	}

	pages := s3.NewListObjectsV2Paginator(api, &s3.ListObjectsV2Input{
		Bucket: bucket, Prefix: aws.String(prefix + "/"), MaxKeys: aws.Int32(listPageSize),
	})
	listed, npages := 0, 0
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if t.call("ListObjectsV2", err) != nil {
			return fmt.Errorf("ListObjectsV2: %w", err)
		}
		npages++
		listed += len(page.Contents)
	}
	if listed != o.N {
		return fmt.Errorf("ListObjectsV2 listed %d objects under %s/, want %d", listed, prefix, o.N)
	}
	prog.linef("ListObjectsV2: %d objects in %d %s", listed, npages, plural(npages, "page"))

	// Download and inspect up to 10 objects spread over the keys.
	k := min(o.N, 10)
	for j := range k {
		i := j * o.N / k
		want := content(i)
		out, err := api.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: &keys[i]})
		if t.call("GetObject", err) != nil {
			return fmt.Errorf("GetObject %s: %w", keys[i], err)
		}
		got, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil {
			return fmt.Errorf("GetObject %s: reading the body: %w", keys[i], err)
		}
		if !bytes.Equal(got, want) {
			return fmt.Errorf("GetObject %s: got %d bytes that differ from the %d put", keys[i], len(got), len(want))
		}
		head, err := api.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: &keys[i]})
		if t.call("HeadObject", err) != nil {
			return fmt.Errorf("HeadObject %s: %w", keys[i], err)
		}
		if n := aws.ToInt64(head.ContentLength); n != int64(len(want)) {
			return fmt.Errorf("HeadObject %s: Content-Length %d, want %d", keys[i], n, len(want))
		}
	}
	prog.linef("GetObject and HeadObject: %d objects, contents checked", k)

	// A key that is not there: the call fails with NoSuchKey and the
	// middleware logs it at Warn, as a client fault.
	missing := prefix + "/no-such-key"
	_, err = api.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: &missing})
	var noSuchKey *types.NoSuchKey
	if t.call("GetObject", err); !errors.As(err, &noSuchKey) {
		return fmt.Errorf("GetObject of missing key %s: got error %v, want NoSuchKey", missing, err)
	}
	prog.linef("GetObject %s: NoSuchKey, as expected", missing)

	_, err = api.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: &keys[0]})
	if t.call("DeleteObject", err) != nil {
		return fmt.Errorf("DeleteObject %s: %w", keys[0], err)
	}
	// The rest in batches, as S3 allows up to 1000 keys per DeleteObjects.
	for rest := keys[1:]; len(rest) > 0; {
		batch := rest[:min(len(rest), 1000)]
		rest = rest[len(batch):]
		ids := make([]types.ObjectIdentifier, len(batch))
		for i := range batch {
			ids[i].Key = &batch[i]
		}
		out, err := api.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: bucket, Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		if t.call("DeleteObjects", err) != nil {
			return fmt.Errorf("DeleteObjects: %w", err)
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return fmt.Errorf("DeleteObjects: %d keys not deleted, the first %s: %s",
				len(out.Errors), aws.ToString(e.Key), aws.ToString(e.Code))
		}
	}
	prog.linef("DeleteObject and DeleteObjects: the %d objects deleted", o.N)
	return nil
}

// ensureBucket creates the embedded S3's bucket. A real bucket must exist
// (HeadBucket); an S3-compatible server's is created if missing.
func ensureBucket(ctx context.Context, o options, c *client, t *tally) error {
	api, bucket := c.s3, aws.String(c.bucket)
	if c.embedded {
		_, err := api.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket})
		if t.call("CreateBucket", err) != nil {
			return fmt.Errorf("CreateBucket %s: %w", c.bucket, err)
		}
		return nil
	}
	_, err := api.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: bucket})
	if t.call("HeadBucket", err) == nil {
		return nil
	}
	var notFound *types.NotFound
	if o.Endpoint == "" || !errors.As(err, &notFound) {
		return fmt.Errorf("bucket %s: %w", c.bucket, err)
	}
	_, err = api.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket})
	if t.call("CreateBucket", err) != nil {
		return fmt.Errorf("CreateBucket %s: %w", c.bucket, err)
	}
	return nil
}

// content is the body of object i: 256 B to 4 KiB of text that names it,
// so that a download can be checked without keeping what was uploaded.
func content(i int) []byte {
	size := 256 + (i*7919)%3841
	line := fmt.Sprintf("slogreq quick start object %05d\n", i)
	return bytes.Repeat([]byte(line), size/len(line)+1)[:size]
}

// parallel calls fn(ctx, i) for i in [0, n) from up to workers goroutines.
// The first error cancels the rest and is returned.
func parallel(ctx context.Context, workers, n int, fn func(context.Context, int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(workers, n)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
}
