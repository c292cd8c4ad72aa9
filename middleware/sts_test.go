package middleware_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithymw "github.com/aws/smithy-go/middleware"

	"github.com/slogreq/slogreq/middleware"
)

const (
	assumedKeyID   = "ASIAASSUMEDKEYID0001"
	assumedSecret  = "assumedSecretAccessKeyValue0001"
	assumedToken   = "assumedSessionTokenValue0001"
	baseKeyID      = "AKIABASEPROFILEKEY01"
	baseSecret     = "baseProfileSecretAccessKey0001"
	testRoleARN    = "arn:aws:iam::123456789012:role/app"
	testAccount    = "123456789012"
	stsRequestID1  = "sts-assume-role-request"
	stsRequestID2  = "sts-caller-identity-request"
	stsXMLNS       = `xmlns="https://sts.amazonaws.com/doc/2011-06-15/"`
	assumeRoleBody = `<AssumeRoleResponse ` + stsXMLNS + `><AssumeRoleResult><Credentials>` +
		`<AccessKeyId>` + assumedKeyID + `</AccessKeyId><SecretAccessKey>` + assumedSecret + `</SecretAccessKey>` +
		`<SessionToken>` + assumedToken + `</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>` +
		`<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/app/s</Arn><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser>` +
		`</AssumeRoleResult><ResponseMetadata><RequestId>` + stsRequestID1 + `</RequestId></ResponseMetadata></AssumeRoleResponse>`
	callerIdentityBody = `<GetCallerIdentityResponse ` + stsXMLNS + `><GetCallerIdentityResult>` +
		`<Arn>arn:aws:sts::123456789012:assumed-role/app/s</Arn><UserId>AROAEXAMPLE:s</UserId><Account>` + testAccount + `</Account>` +
		`</GetCallerIdentityResult><ResponseMetadata><RequestId>` + stsRequestID2 + `</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
)

// fakeSTS answers AssumeRole and GetCallerIdentity and remembers the
// Authorization header of each request.
type fakeSTS struct {
	mu    sync.Mutex
	auths map[string]string // action -> Authorization
}

func (f *fakeSTS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	action := r.PostForm.Get("Action")
	f.mu.Lock()
	f.auths[action] = r.Header.Get("Authorization")
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	switch action {
	case "AssumeRole":
		w.Header().Set("x-amzn-RequestId", stsRequestID1)
		_, _ = io.WriteString(w, assumeRoleBody)
	case "GetCallerIdentity":
		w.Header().Set("x-amzn-RequestId", stsRequestID2)
		_, _ = io.WriteString(w, callerIdentityBody)
	default:
		http.Error(w, "unexpected action "+action, http.StatusBadRequest)
	}
}

// isolateAWSEnv keeps the developer's or CI's AWS settings out of
// config.LoadDefaultConfig.
func isolateAWSEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CA_BUNDLE",
		"AWS_SDK_LOAD_CONFIG", "AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS",
	} {
		t.Setenv(k, "") // restores the old value when the test ends
		mustNot(t, os.Unsetenv(k))
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// An assume-role profile: config.LoadDefaultConfig builds its own STS client
// for the credential provider. Installed through config.WithAPIOptions, the
// middleware logs that AssumeRole call as well as the call that needed the
// credentials, and none of the credentials reach the log.
func TestCredentialProviderCallsAreLogged(t *testing.T) {
	isolateAWSEnv(t)
	fake := &fakeSTS{auths: map[string]string{}}
	srv := newServer(t, fake.ServeHTTP)

	var buf logBuf
	ctx := context.Background()
	cfg := loadAssumeRoleConfig(t, srv.URL,
		config.WithAPIOptions([]func(*smithymw.Stack) error{middleware.APIOption(newLogger(&buf, slog.LevelInfo), nil)}))

	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	mustNot(t, err)
	if out.Account == nil || *out.Account != testAccount {
		t.Fatalf("GetCallerIdentity account = %v", out.Account)
	}
	fake.mu.Lock()
	assumeAuth, callAuth := fake.auths["AssumeRole"], fake.auths["GetCallerIdentity"]
	fake.mu.Unlock()
	if !strings.Contains(assumeAuth, "Credential="+baseKeyID+"/") || !strings.Contains(callAuth, "Credential="+assumedKeyID+"/") {
		t.Fatalf("the calls were not signed by the base profile and then the assumed role:\nAssumeRole: %s\nGetCallerIdentity: %s", assumeAuth, callAuth)
	}

	recs := buf.callRecords(t)
	if len(recs) != 2 {
		t.Fatalf("got %d records, want AssumeRole and GetCallerIdentity:\n%s", len(recs), buf.String())
	}
	// The provider's call ends first: it runs inside the outer call's
	// identity step, so the outer duration includes it.
	for i, want := range []struct{ action, id string }{{"AssumeRole", stsRequestID1}, {"GetCallerIdentity", stsRequestID2}} {
		r := recs[i]
		r.wantStr(t, "level", "INFO")
		r.wantStr(t, "event.action", want.action)
		r.wantStr(t, "event.outcome", "success")
		r.wantStr(t, "cloud.target.service.name", "STS")
		r.wantStr(t, "cloud.target.region", testRegion)
		r.wantStr(t, "http.request.method", "POST")
		r.wantInt(t, "http.response.status_code", 200)
		r.wantStr(t, "url.domain", "127.0.0.1")
		r.wantStr(t, "aws.request_id", want.id)
		r.wantInt(t, "aws.attempts", 1)
	}
	if inner, outer := recs[0].int(t, "event.duration"), recs[1].int(t, "event.duration"); outer < inner {
		t.Errorf("GetCallerIdentity took %dns, less than the AssumeRole call inside it (%dns)", outer, inner)
	}
	out2 := buf.String()
	for _, secret := range []string{baseSecret, assumedSecret, assumedToken} {
		if strings.Contains(out2, secret) {
			t.Errorf("a credential reached the log: %q", secret)
		}
	}
}

// AddTo after LoadDefaultConfig reaches the clients built from the returned
// config, not the STS client LoadDefaultConfig built before, as AddTo's
// documentation says.
func TestAddToAfterLoadMissesTheProviderClient(t *testing.T) {
	isolateAWSEnv(t)
	srv := newServer(t, (&fakeSTS{auths: map[string]string{}}).ServeHTTP)
	var buf logBuf
	cfg := loadAssumeRoleConfig(t, srv.URL)
	middleware.AddTo(&cfg, newLogger(&buf, slog.LevelInfo), nil)

	_, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	mustNot(t, err)
	recs := buf.callRecords(t)
	if len(recs) != 1 {
		t.Fatalf("got %d records, want GetCallerIdentity only:\n%s", len(recs), buf.String())
	}
	recs[0].wantStr(t, "event.action", "GetCallerIdentity")
}

// loadAssumeRoleConfig writes an assume-role profile whose STS endpoint is
// stsURL and loads it.
func loadAssumeRoleConfig(t *testing.T, stsURL string, opts ...func(*config.LoadOptions) error) aws.Config {
	t.Helper()
	dir := t.TempDir()
	configFile := filepath.Join(dir, "config")
	credentialsFile := filepath.Join(dir, "credentials")
	mustNot(t, os.WriteFile(configFile, []byte(`[profile app]
role_arn = `+testRoleARN+`
source_profile = base
role_session_name = s
region = `+testRegion+`
services = loopback

[services loopback]
sts =
  endpoint_url = `+stsURL+`
`), 0o600))
	mustNot(t, os.WriteFile(credentialsFile, []byte(`[base]
aws_access_key_id = `+baseKeyID+`
aws_secret_access_key = `+baseSecret+`
`), 0o600))
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	cfg, err := config.LoadDefaultConfig(context.Background(), append([]func(*config.LoadOptions) error{
		config.WithSharedConfigFiles([]string{configFile}),
		config.WithSharedCredentialsFiles([]string{credentialsFile}),
		config.WithSharedConfigProfile("app"),
		config.WithHTTPClient(&http.Client{Transport: tr}),
	}, opts...)...)
	mustNot(t, err)
	return cfg
}
