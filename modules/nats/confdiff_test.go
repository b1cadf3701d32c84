package nats

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nkeys"
)

// cdKeys are real NKey user public keys: the parser validates them.
type cdKeys struct{ sys, agent, reader, extra string }

func newCDKeys(t *testing.T) cdKeys {
	t.Helper()
	pub := func() string {
		kp, err := nkeys.CreateUser()
		if err != nil {
			t.Fatal(err)
		}
		pk, err := kp.PublicKey()
		if err != nil {
			t.Fatal(err)
		}
		return pk
	}
	return cdKeys{sys: pub(), agent: pub(), reader: pub(), extra: pub()}
}

// cdBase is a config in the shape harmony renders. The store_dir does not
// exist: parsing must not need or create it.
const cdBase = `server_name: "a-0"
listen: "127.0.0.1:24222"
http: "127.0.0.1:26222"
server_tags: ["site:a"]
lame_duck_duration: "30s"
lame_duck_grace_period: "2s"
jetstream {
  store_dir: "/nonexistent/harmony-confdiff/a-0/jetstream"
  max_memory_store: 268435456
  max_file_store: 1073741824
  unique_tag: "site:"
}
cluster {
  name: "harmony"
  listen: "127.0.0.1:25222"
  routes: ["nats-route://127.0.0.1:25222", "nats-route://127.0.0.1:25223"]
}
gateway {
  name: "harmony"
  listen: "127.0.0.1:27222"
  gateways: [
    {name: "a", urls: ["nats://127.0.0.1:27225"]}
    {name: "harmony", urls: ["nats://127.0.0.1:27222"]}
  ]
}
system_account: "SYS"
accounts {
  SYS {
    users: [
      {nkey: "SYSKEY"}
    ]
  }
  HARMONY {
    jetstream {
      max_memory: 67108864
      max_file: 1073741824
      max_streams: 10
      max_consumers: 100
    }
    users: [
      {nkey: "AGENTKEY", permissions: {publish: {allow: ["$KV.desired.>"]}, subscribe: {allow: ["_INBOX.>"]}}}
      {nkey: "READERKEY"}
    ]
  }
}
`

func (k cdKeys) config(s string) string {
	return strings.NewReplacer("SYSKEY", k.sys, "AGENTKEY", k.agent, "READERKEY", k.reader, "EXTRAKEY", k.extra).Replace(s)
}

// edit replaces old by new in base, failing the test when old is absent so
// that a fixture typo cannot make a case pass vacuously.
func edit(t *testing.T, base, old, new string) string {
	t.Helper()
	if !strings.Contains(base, old) {
		t.Fatalf("fixture does not contain %q", old)
	}
	return strings.Replace(base, old, new, 1)
}

func TestClassifyChange(t *testing.T) {
	k := newCDKeys(t)
	base := k.config(cdBase)
	tests := []struct {
		name        string
		old, new    string // replace old by new in the base config
		oldWithout  bool   // the old config also drops old
		wantFields  []string
		wantRestart []string
	}{
		// Restart-only settings, each alone.
		{name: "server_name", old: `server_name: "a-0"`, new: `server_name: "a-1"`,
			wantFields: []string{"server_name"}, wantRestart: []string{"server_name"}},
		{name: "client port", old: `listen: "127.0.0.1:24222"`, new: `listen: "127.0.0.1:24223"`,
			wantFields: []string{"listen"}, wantRestart: []string{"listen"}},
		{name: "client host", old: `listen: "127.0.0.1:24222"`, new: `listen: "0.0.0.0:24222"`,
			wantFields: []string{"listen"}, wantRestart: []string{"listen"}},
		{name: "monitor port", old: `http: "127.0.0.1:26222"`, new: `http: "127.0.0.1:26223"`,
			wantFields: []string{"http"}, wantRestart: []string{"http"}},
		{name: "cluster name", old: "cluster {\n  name: \"harmony\"", new: "cluster {\n  name: \"other\"",
			wantFields: []string{"cluster.name"}, wantRestart: []string{"cluster.name"}},
		{name: "cluster port", old: `listen: "127.0.0.1:25222"`, new: `listen: "127.0.0.1:25224"`,
			wantFields: []string{"cluster.listen"}, wantRestart: []string{"cluster.listen"}},
		{name: "gateway name", old: "gateway {\n  name: \"harmony\"", new: "gateway {\n  name: \"other\"",
			wantFields: []string{"gateway"}, wantRestart: []string{"gateway"}},
		{name: "gateway port", old: `listen: "127.0.0.1:27222"`, new: `listen: "127.0.0.1:27223"`,
			wantFields: []string{"gateway"}, wantRestart: []string{"gateway"}},
		{name: "remote gateway added", old: `{name: "a", urls: ["nats://127.0.0.1:27225"]}`,
			new:        `{name: "a", urls: ["nats://127.0.0.1:27225"]}` + "\n    {name: \"b\", urls: [\"nats://127.0.0.1:27228\"]}",
			wantFields: []string{"gateway"}, wantRestart: []string{"gateway"}},
		{name: "remote gateway url", old: `nats://127.0.0.1:27225`, new: `nats://127.0.0.1:27226`,
			wantFields: []string{"gateway"}, wantRestart: []string{"gateway"}},
		{name: "jetstream disabled", old: `unique_tag: "site:"`, new: "unique_tag: \"site:\"\n  enabled: false",
			wantFields: []string{"jetstream"}, wantRestart: []string{"jetstream"}},
		{name: "store_dir", old: `a-0/jetstream"`, new: `a-0/js"`,
			wantFields: []string{"jetstream.store_dir"}, wantRestart: []string{"jetstream.store_dir"}},
		{name: "jetstream domain", old: `unique_tag: "site:"`, new: "unique_tag: \"site:\"\n  domain: \"hub\"",
			wantFields: []string{"jetstream.domain"}, wantRestart: []string{"jetstream.domain"}},
		{name: "unique_tag", old: `unique_tag: "site:"`, new: `unique_tag: "zone:"`,
			wantFields: []string{"jetstream.unique_tag"}, wantRestart: []string{"jetstream.unique_tag"}},
		{name: "lower max_file_store", old: `max_file_store: 1073741824`, new: `max_file_store: 536870912`,
			wantFields: []string{"jetstream.max_file_store"}, wantRestart: []string{"jetstream.max_file_store"}},
		{name: "lower max_memory_store", old: `max_memory_store: 268435456`, new: `max_memory_store: 134217728`,
			wantFields: []string{"jetstream.max_memory_store"}, wantRestart: []string{"jetstream.max_memory_store"}},
		{name: "max_file_store set to dynamic", old: "  max_file_store: 1073741824\n", new: "",
			wantFields: []string{"jetstream.max_file_store"}, wantRestart: []string{"jetstream.max_file_store"}},
		{name: "system_account", old: `system_account: "SYS"`, new: `system_account: "HARMONY"`,
			wantFields: []string{"system_account"}, wantRestart: []string{"system_account"}},
		// nats-server v2.15.2 refuses to reload lame duck settings
		// ("config reload not supported for LameDuckDuration").
		{name: "lame_duck_duration", old: `lame_duck_duration: "30s"`, new: `lame_duck_duration: "40s"`,
			wantFields: []string{"lame_duck_duration"}, wantRestart: []string{"lame_duck_duration"}},
		{name: "lame_duck_grace_period", old: `lame_duck_grace_period: "2s"`, new: `lame_duck_grace_period: "3s"`,
			wantFields: []string{"lame_duck_grace_period"}, wantRestart: []string{"lame_duck_grace_period"}},
		// Unrecognised differences restart.
		{name: "unknown setting max_subscriptions", old: `server_tags:`, new: "max_subscriptions: 100\nserver_tags:",
			wantFields: []string{"max_subs"}, wantRestart: []string{"max_subs"}},
		{name: "unknown block leafnodes", old: `server_tags:`, new: "leafnodes { listen: \"127.0.0.1:28222\" }\nserver_tags:",
			wantFields: []string{"leaf_node"}, wantRestart: []string{"leaf_node"}},

		// Reloadable settings, each alone.
		{name: "add user", old: `{nkey: "` + k.reader + `"}`, new: `{nkey: "` + k.reader + `"}` + "\n      {nkey: \"" + k.extra + `"}`,
			wantFields: []string{"accounts"}},
		{name: "remove user", old: `{nkey: "` + k.reader + `"}`, new: ``,
			wantFields: []string{"accounts"}},
		{name: "change permission", old: `allow: ["$KV.desired.>"]`, new: `allow: ["$KV.desired.>", "$KV.status.>"]`,
			wantFields: []string{"accounts"}},
		{name: "raise max_file_store", old: `max_file_store: 1073741824`, new: `max_file_store: 2147483648`,
			wantFields: []string{"jetstream.max_file_store"}},
		{name: "raise max_memory_store", old: `max_memory_store: 268435456`, new: `max_memory_store: 536870912`,
			wantFields: []string{"jetstream.max_memory_store"}},
		{name: "add server tag", old: `server_tags: ["site:a"]`, new: `server_tags: ["site:a", "disk:ssd"]`,
			wantFields: []string{"server_tags"}},
		{name: "account jetstream limits", old: `max_streams: 10`, new: `max_streams: 20`,
			wantFields: []string{"accounts"}},
		{name: "cluster routes", old: `, "nats-route://127.0.0.1:25223"]`, new: `, "nats-route://127.0.0.1:25223", "nats-route://127.0.0.1:25226"]`,
			wantFields: []string{"cluster.routes"}},
		{name: "logging", old: `server_tags:`, new: "debug: true\nserver_tags:",
			wantFields: []string{"debug"}},
		{name: "max_payload", old: `server_tags:`, new: "max_payload: 2MB\nserver_tags:",
			wantFields: []string{"max_payload"}},

		// Same meaning.
		{name: "identical", old: `server_name`, new: `server_name`},
		{name: "comments and whitespace", old: "jetstream {\n", new: "# the store\njetstream   {   // limits follow\n\n"},
		{name: "key aliases", old: `max_memory_store: 268435456`, new: `max_mem: 256MB`},
		{name: "route order", old: `routes: ["nats-route://127.0.0.1:25222", "nats-route://127.0.0.1:25223"]`,
			new: `routes: ["nats-route://127.0.0.1:25223", "nats-route://127.0.0.1:25222"]`},
		{name: "remote gateway order", old: "    {name: \"a\", urls: [\"nats://127.0.0.1:27225\"]}\n    {name: \"harmony\", urls: [\"nats://127.0.0.1:27222\"]}",
			new: "    {name: \"harmony\", urls: [\"nats://127.0.0.1:27222\"]}\n    {name: \"a\", urls: [\"nats://127.0.0.1:27225\"]}"},
		{name: "server default made explicit", old: "lame_duck_grace_period: \"2s\"\n", new: "lame_duck_grace_period: \"10s\"\n", oldWithout: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, updated := base, edit(t, base, tt.old, tt.new)
			if tt.oldWithout {
				old = edit(t, base, tt.old, "")
			}
			got, err := ClassifyChange([]byte(old), []byte(updated))
			if err != nil {
				t.Fatalf("ClassifyChange: %v", err)
			}
			want := ConfigChange{
				Restart:       len(tt.wantRestart) > 0,
				Reload:        len(tt.wantFields) > len(tt.wantRestart),
				Fields:        tt.wantFields,
				RestartFields: tt.wantRestart,
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ClassifyChange =\n %+v\nwant\n %+v", got, want)
			}
		})
	}
}

// TestClassifyChangeMixed shows a restart and a reload difference together:
// both are named, the restart one in RestartFields, and both flags are set.
func TestClassifyChangeMixed(t *testing.T) {
	k := newCDKeys(t)
	old := k.config(cdBase)
	updated := edit(t, old, `server_name: "a-0"`, `server_name: "a-9"`)
	updated = edit(t, updated, `server_tags: ["site:a"]`, `server_tags: ["site:b"]`)
	updated = edit(t, updated, `max_streams: 10`, `max_streams: 11`)
	got, err := ClassifyChange([]byte(old), []byte(updated))
	if err != nil {
		t.Fatal(err)
	}
	want := ConfigChange{
		Restart:       true,
		Reload:        true,
		Fields:        []string{"accounts", "server_name", "server_tags"},
		RestartFields: []string{"server_name"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ClassifyChange = %+v, want %+v", got, want)
	}
}

// TestClassifyChangeTLS shows that TLS compares by its settings, not by the
// *tls.Config the parser builds (two parses of one config are equal), and
// that a TLS change reloads.
func TestClassifyChangeTLS(t *testing.T) {
	k := newCDKeys(t)
	dir := t.TempDir()
	cert, key := writeTestCert(t, dir, "a")
	cert2, key2 := writeTestCert(t, dir, "b")
	tlsBlock := func(c, k string, timeout int) string {
		return "tls {\n  cert_file: \"" + c + "\"\n  key_file: \"" + k + "\"\n  timeout: " + strconv.Itoa(timeout) + "\n}\nserver_tags:"
	}
	base := k.config(cdBase)
	withTLS := edit(t, base, "server_tags:", tlsBlock(cert, key, 2))
	clusterTLS := func(c, k string) string {
		return "cluster {\n  tls {\n    cert_file: \"" + c + "\"\n    key_file: \"" + k + "\"\n  }"
	}
	withClusterTLS := edit(t, base, "cluster {", clusterTLS(cert, key))
	tests := []struct {
		name       string
		old, new   string
		wantFields []string
	}{
		{name: "same tls", old: withTLS, new: withTLS},
		{name: "same cluster tls", old: withClusterTLS, new: withClusterTLS},
		{name: "cluster certificate changed", old: withClusterTLS, new: edit(t, base, "cluster {", clusterTLS(cert2, key2)), wantFields: []string{"cluster"}},
		{name: "tls added", old: base, new: withTLS, wantFields: []string{"tls"}},
		{name: "certificate changed", old: withTLS, new: edit(t, base, "server_tags:", tlsBlock(cert2, key2, 2)), wantFields: []string{"tls"}},
		{name: "timeout changed", old: withTLS, new: edit(t, base, "server_tags:", tlsBlock(cert, key, 3)), wantFields: []string{"tls"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ClassifyChange([]byte(tt.old), []byte(tt.new))
			if err != nil {
				t.Fatalf("ClassifyChange: %v", err)
			}
			want := ConfigChange{Reload: len(tt.wantFields) > 0, Fields: tt.wantFields}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ClassifyChange = %+v, want %+v", got, want)
			}
		})
	}
}

func writeTestCert(t *testing.T, dir, name string) (certFile, keyFile string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     []string{"localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+"-key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestClassifyChangeDoesNotCreateStoreDir(t *testing.T) {
	k := newCDKeys(t)
	dir := filepath.Join(t.TempDir(), "store")
	conf := edit(t, k.config(cdBase), "/nonexistent/harmony-confdiff/a-0/jetstream", dir)
	if _, err := ClassifyChange([]byte(conf), []byte(conf)); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseAuth([]byte(conf)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("store_dir %s: stat error %v, want it not to exist", dir, err)
	}
}

func TestParseAuth(t *testing.T) {
	k := newCDKeys(t)
	got, err := ParseAuth([]byte(k.config(cdBase)))
	if err != nil {
		t.Fatal(err)
	}
	want := AuthState{
		SystemAccount: "SYS",
		Accounts: map[string]AccountState{
			"SYS": {Users: map[string]UserState{k.sys: {}}},
			"HARMONY": {
				JetStream: &AccountLimits{MaxMemory: 67108864, MaxFile: 1073741824, MaxStreams: 10, MaxConsumers: 100},
				Users: map[string]UserState{
					k.agent:  {PublishAllow: []string{"$KV.desired.>"}, SubscribeAllow: []string{"_INBOX.>"}},
					k.reader: {},
				},
			},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseAuth =\n %+v\nwant\n %+v", got, want)
	}
}

// TestParseAuthForms covers the other ways a config declares auth: default
// system account, jetstream: enabled, user/password users in the global
// account, deny lists, the list form of permissions and allow_responses.
func TestParseAuthForms(t *testing.T) {
	k := newCDKeys(t)
	conf := k.config(`
authorization {
  users: [
    {user: "admin", password: "s3cret", permissions: {publish: ["b", "a", "a"], subscribe: {deny: ["secret.>"]}, allow_responses: true}}
  ]
}
accounts {
  T1 {
    jetstream: enabled
    users: [{nkey: "AGENTKEY", permissions: {subscribe: ["in.>"], allow_responses: {max: 5, expires: "1m"}}}]
  }
  T2 {}
}
`)
	got, err := ParseAuth([]byte(conf))
	if err != nil {
		t.Fatal(err)
	}
	want := AuthState{
		SystemAccount: "$SYS",
		Accounts: map[string]AccountState{
			"$G": {Users: map[string]UserState{"admin": {
				PublishAllow: []string{"a", "b"}, SubscribeDeny: []string{"secret.>"},
				AllowResponses: &ResponseLimits{MaxMsgs: 1, Expires: 2 * time.Minute},
			}}},
			"T1": {
				JetStream: &AccountLimits{MaxMemory: -1, MaxFile: -1, MaxStreams: -1, MaxConsumers: -1},
				Users: map[string]UserState{k.agent: {
					SubscribeAllow: []string{"in.>"},
					AllowResponses: &ResponseLimits{MaxMsgs: 5, Expires: time.Minute},
				}},
			},
			"T2": {Users: map[string]UserState{}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseAuth =\n %+v\nwant\n %+v", got, want)
	}
	if strings.Contains(fmt.Sprintf("%#v", got), "s3cret") {
		t.Error("AuthState holds a password")
	}
}

func TestBrokenConfigIsAnError(t *testing.T) {
	k := newCDKeys(t)
	good := []byte(k.config(cdBase))
	tests := []struct {
		name string
		conf string
	}{
		{name: "unbalanced braces", conf: "jetstream {\n  store_dir: \"/x\"\n"},
		{name: "invalid nkey", conf: `accounts { A { users: [{nkey: "UNOTAKEY"}] } }`},
		{name: "unknown field", conf: `jetstream { no_such_field: 1 }`},
		{name: "wrong type", conf: `accounts { A { jetstream { max_file: "lots" } } }`},
		{name: "garbage", conf: "\x00\x01}}{{: ::"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseAuth([]byte(tt.conf)); !errors.Is(err, ErrInvalidServerConfig) {
				t.Errorf("ParseAuth error = %v, want ErrInvalidServerConfig", err)
			}
			if _, err := ClassifyChange(good, []byte(tt.conf)); !errors.Is(err, ErrInvalidServerConfig) {
				t.Errorf("ClassifyChange(good, broken) error = %v, want ErrInvalidServerConfig", err)
			}
			if _, err := ClassifyChange([]byte(tt.conf), good); !errors.Is(err, ErrInvalidServerConfig) {
				t.Errorf("ClassifyChange(broken, good) error = %v, want ErrInvalidServerConfig", err)
			}
		})
	}
}

func TestDiffAuth(t *testing.T) {
	const (
		agentKey  = "UAGENTPUBLICKEY"
		readerKey = "UREADERPUBLICKEY"
		newKey    = "UNEWPUBLICKEY"
	)
	names := map[string]string{agentKey: "agent", readerKey: "reader"}
	state := func(edit func(*AuthState)) AuthState {
		s := AuthState{
			SystemAccount: "SYS",
			Accounts: map[string]AccountState{
				"SYS": {Users: map[string]UserState{"USYS": {}}},
				"HARMONY": {
					JetStream: &AccountLimits{MaxMemory: 64, MaxFile: 1024, MaxStreams: 10, MaxConsumers: 100},
					Users: map[string]UserState{
						agentKey:  {PublishAllow: []string{"$KV.desired.>"}, SubscribeAllow: []string{"_INBOX.>"}},
						readerKey: {},
					},
				},
			},
		}
		if edit != nil {
			edit(&s)
		}
		return s
	}
	tests := []struct {
		name          string
		live, desired AuthState
		want          []AuthDiff
	}{
		{name: "equal", live: state(nil), desired: state(nil)},
		{name: "added user by public key",
			live: state(nil),
			desired: state(func(s *AuthState) {
				s.Accounts["HARMONY"].Users[newKey] = UserState{}
			}),
			want: []AuthDiff{{Account: "HARMONY", User: newKey, Field: "user", Live: "absent", Desired: "present"}}},
		{name: "removed user by name",
			live: state(nil),
			desired: state(func(s *AuthState) {
				delete(s.Accounts["HARMONY"].Users, readerKey)
			}),
			want: []AuthDiff{{Account: "HARMONY", User: "reader", Field: "user", Live: "present", Desired: "absent"}}},
		{name: "changed permission",
			live: state(nil),
			desired: state(func(s *AuthState) {
				s.Accounts["HARMONY"].Users[agentKey] = UserState{
					PublishAllow:   []string{"$KV.desired.>", "$KV.status.>"},
					SubscribeAllow: []string{"_INBOX.>"},
					AllowResponses: &ResponseLimits{MaxMsgs: 1, Expires: 2 * time.Minute},
				}
			}),
			want: []AuthDiff{
				{Account: "HARMONY", User: "agent", Field: "permissions.publish.allow", Live: "[$KV.desired.>]", Desired: "[$KV.desired.> $KV.status.>]"},
				{Account: "HARMONY", User: "agent", Field: "permissions.responses", Live: "off", Desired: "max=1 expires=2m0s"},
			}},
		{name: "account jetstream limit",
			live: state(nil),
			desired: state(func(s *AuthState) {
				s.Accounts["HARMONY"] = AccountState{
					JetStream: &AccountLimits{MaxMemory: 64, MaxFile: -1, MaxStreams: 10, MaxConsumers: 100},
					Users:     s.Accounts["HARMONY"].Users,
				}
			}),
			want: []AuthDiff{{Account: "HARMONY", Field: "jetstream.maxFile", Live: "1024", Desired: "unlimited"}}},
		{name: "account jetstream disabled",
			live: state(nil),
			desired: state(func(s *AuthState) {
				s.Accounts["HARMONY"] = AccountState{Users: s.Accounts["HARMONY"].Users}
			}),
			want: []AuthDiff{{Account: "HARMONY", Field: "jetstream", Live: "enabled", Desired: "disabled"}}},
		{name: "several differences sorted",
			live: state(func(s *AuthState) {
				s.SystemAccount = "$SYS"
				s.Accounts["OLD"] = AccountState{Users: map[string]UserState{}}
			}),
			desired: state(func(s *AuthState) {
				s.Accounts["HARMONY"].Users[newKey] = UserState{}
				delete(s.Accounts["HARMONY"].Users, agentKey)
				s.Accounts["A"] = AccountState{Users: map[string]UserState{}}
			}),
			want: []AuthDiff{
				{Field: "system_account", Live: "$SYS", Desired: "SYS"},
				{Account: "A", Field: "account", Live: "absent", Desired: "present"},
				{Account: "HARMONY", User: newKey, Field: "user", Live: "absent", Desired: "present"},
				{Account: "HARMONY", User: "agent", Field: "user", Live: "present", Desired: "absent"},
				{Account: "OLD", Field: "account", Live: "present", Desired: "absent"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DiffAuth(tt.live, tt.desired, names)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DiffAuth =\n %v\nwant\n %v", got, tt.want)
			}
		})
	}
}

// TestDiffAuthFromConfigs drives DiffAuth from two parsed configs, the way
// harmony compares a server's live config with the desired one.
func TestDiffAuthFromConfigs(t *testing.T) {
	k := newCDKeys(t)
	live, err := ParseAuth([]byte(k.config(cdBase)))
	if err != nil {
		t.Fatal(err)
	}
	desiredConf := edit(t, k.config(cdBase), `subscribe: {allow: ["_INBOX.>"]}`, `subscribe: {allow: ["_INBOX.agent.>"]}`)
	desired, err := ParseAuth([]byte(desiredConf))
	if err != nil {
		t.Fatal(err)
	}
	got := DiffAuth(live, desired, map[string]string{k.agent: "agent"})
	want := []AuthDiff{{Account: "HARMONY", User: "agent", Field: "permissions.subscribe.allow", Live: "[_INBOX.>]", Desired: "[_INBOX.agent.>]"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DiffAuth = %v, want %v", got, want)
	}
	if got := DiffAuth(live, live, nil); got != nil {
		t.Errorf("DiffAuth(live, live) = %v, want nil", got)
	}
}

// TestDiffConfig covers what a plan shows for one server: a user dropped
// from the live config is named (reload), a broken live config restarts,
// and a broken desired config is refused.
func TestDiffConfig(t *testing.T) {
	k := newCDKeys(t)
	desired := []byte(k.config(cdBase))
	names := map[string]string{k.agent: "agent"}

	live := []byte(edit(t, k.config(cdBase), "      {nkey: \""+k.agent+"\", permissions: {publish: {allow: [\"$KV.desired.>\"]}, subscribe: {allow: [\"_INBOX.>\"]}}}\n", ""))
	d, err := diffConfig(live, desired, names)
	if err != nil {
		t.Fatal(err)
	}
	if d.Restart || len(d.Changes) != 1 || d.Changes[0].Field != "accounts.HARMONY.users.agent" || d.Changes[0].From != "absent" || d.Changes[0].To != "present" {
		t.Errorf("dropped user: %+v", d)
	}

	if d, err := diffConfig(desired, desired, names); err != nil || d.Restart || len(d.Changes) != 0 {
		t.Errorf("same config: %+v, %v", d, err)
	}

	d, err = diffConfig([]byte("listen: {{{"), desired, names)
	if err != nil || !d.Restart || len(d.Changes) != 1 || !strings.Contains(d.Changes[0].Detail, "does not parse") {
		t.Errorf("broken live config: %+v, %v", d, err)
	}

	if _, err := diffConfig(desired, []byte("listen: {{{"), names); !errors.Is(err, ErrInvalidServerConfig) {
		t.Errorf("broken desired config: want ErrInvalidServerConfig, got %v", err)
	}
}
