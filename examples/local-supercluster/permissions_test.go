package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	natsgo "github.com/nats-io/nats.go"

	"github.com/harmony-go/harmony/modules/nats"
	"github.com/harmony-go/harmony/secrets"
)

// testAgentPermissions shows, against the real servers, every operation
// the agent needs allowed and a list of operations it must not do denied.
func testAgentPermissions(t *testing.T, e *env) {
	admin := e.connect(t, "HARMONY", "admin", e.allURLs())
	ajs := jsOf(t, admin.Conn)
	other, err := ajs.CreateKeyValue(t.Context(), jetstream.KeyValueConfig{Bucket: "other", Replicas: 3, Placement: &jetstream.Placement{Cluster: "harmony"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Put(t.Context(), "k", []byte("secret-of-another-bucket")); err != nil {
		t.Fatal(err)
	}
	if _, err := ajs.CreateStream(t.Context(), jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}, Replicas: 3, Placement: &jetstream.Placement{Cluster: "harmony"}}); err != nil {
		t.Fatal(err)
	}

	t.Run("allowed", func(t *testing.T) {
		agent := e.connect(t, "HARMONY", "agent", e.allURLs())
		js := jsOf(t, agent.Conn)
		ctx := t.Context()
		desired, err := js.KeyValue(ctx, DesiredStateBucket)
		if err != nil {
			t.Fatalf("bind: %v", err)
		}
		status, err := js.KeyValue(ctx, StatusBucket)
		if err != nil {
			t.Fatalf("bind status: %v", err)
		}
		steps := []struct {
			name string
			do   func() error
		}{
			{"put", func() error { _, err := desired.Put(ctx, "site.a.perm.k", []byte("1")); return err }},
			{"create", func() error { _, err := desired.Create(ctx, "site.a.perm.new", []byte("1")); return err }},
			{"update", func() error {
				e, err := desired.Get(ctx, "site.a.perm.k")
				if err != nil {
					return err
				}
				_, err = desired.Update(ctx, "site.a.perm.k", []byte("2"), e.Revision())
				return err
			}},
			{"get", func() error { _, err := desired.Get(ctx, "site.a.perm.k"); return err }},
			{"get revision", func() error { _, err := desired.GetRevision(ctx, "site.a.perm.k", 1); return ignoreNotFound(err) }},
			{"keys", func() error { _, err := desired.Keys(ctx); return err }},
			{"history", func() error { _, err := desired.History(ctx, "site.a.perm.k"); return err }},
			{"watch", func() error {
				w, err := desired.WatchAll(ctx)
				if err != nil {
					return err
				}
				defer w.Stop()
				<-w.Updates()
				return nil
			}},
			{"delete", func() error { return desired.Delete(ctx, "site.a.perm.new") }},
			{"purge key", func() error { return desired.Purge(ctx, "site.a.perm.new") }},
			{"status put", func() error { _, err := status.Put(ctx, "site.a.demo.x", []byte(`{"ok":true}`)); return err }},
			{"status get", func() error { _, err := status.Get(ctx, "site.a.demo.x"); return err }},
		}
		for _, s := range steps {
			if err := s.do(); err != nil {
				t.Errorf("%s: %v", s.name, err)
			}
		}
		if err := agent.Flush(); err != nil {
			t.Fatal(err)
		}
		if v := agent.violations(); len(v) > 0 {
			t.Errorf("allowed operations raised permission errors: %v", v)
		}
	})

	denied := []struct {
		name    string
		subject string // the subject the server must refuse
		do      func(ctx context.Context, c *conn, js jetstream.JetStream, subject string) error
	}{
		{"ping every server via $SYS", "$SYS.REQ.SERVER.PING", request},
		{"read server connections via $SYS", "$SYS.REQ.SERVER.PING.CONNZ", request},
		{"read the account's connections via $SYS", "$SYS.REQ.ACCOUNT.HARMONY.CONNZ", request},
		{"subscribe to system events", "$SYS.>", subscribe},
		{"subscribe to everything", ">", subscribe},
		{"subscribe to the bucket's raw data", "$KV.desired-state.>", subscribe},
		{"snoop on the JetStream API", "$JS.API.>", subscribe},
		{"subscribe to application traffic", "orders.>", subscribe},
		{"publish application traffic", "orders.new", publish},
		{"read account info", "$JS.API.INFO", func(ctx context.Context, _ *conn, js jetstream.JetStream, _ string) error {
			_, err := js.AccountInfo(ctx)
			return err
		}},
		{"create a bucket (the client library asks for account info first)", "$JS.API.INFO", func(ctx context.Context, _ *conn, js jetstream.JetStream, _ string) error {
			_, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "evil"})
			return err
		}},
		{"create a bucket's stream", "$JS.API.STREAM.CREATE.KV_evil", request},
		{"delete its own bucket", "$JS.API.STREAM.DELETE.KV_desired-state", func(ctx context.Context, _ *conn, js jetstream.JetStream, _ string) error {
			return js.DeleteKeyValue(ctx, DesiredStateBucket)
		}},
		{"reconfigure its bucket", "$JS.API.STREAM.UPDATE.KV_desired-state", request},
		{"purge its whole bucket", "$JS.API.STREAM.PURGE.KV_desired-state", request},
		{"list stream names", "$JS.API.STREAM.NAMES", request},
		{"list streams", "$JS.API.STREAM.LIST", request},
		{"bind another bucket", "$JS.API.STREAM.INFO.KV_other", func(ctx context.Context, _ *conn, js jetstream.JetStream, _ string) error {
			_, err := js.KeyValue(ctx, "other")
			return err
		}},
		{"read another bucket", "$JS.API.DIRECT.GET.KV_other.$KV.other.k", request},
		{"write another bucket", "$KV.other.k", publish},
		{"consume another stream", "$JS.API.CONSUMER.CREATE.ORDERS.spy.orders.>", request},
		{"watch another bucket", "$JS.API.CONSUMER.CREATE.KV_other.spy.$KV.other.>", request},
		{"legacy message get", "$JS.API.STREAM.MSG.GET.KV_desired-state", request},
		{"delete a message", "$JS.API.STREAM.MSG.DELETE.KV_desired-state", request},
		{"list consumers", "$JS.API.CONSUMER.LIST.KV_desired-state", request},
		{"force a stream leader election", "$JS.API.STREAM.LEADER.STEPDOWN.KV_desired-state", request},
		{"force a meta leader election", "$JS.API.META.LEADER.STEPDOWN", request},
		{"remove a server", "$JS.API.SERVER.REMOVE", request},
	}
	if len(denied) < 20 {
		t.Fatalf("only %d denied operations listed", len(denied))
	}
	for _, tc := range denied {
		t.Run("denied/"+tc.name, func(t *testing.T) {
			agent := e.connect(t, "HARMONY", "agent", e.allURLs())
			ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
			defer cancel()
			_ = tc.do(ctx, agent, jsOf(t, agent.Conn), tc.subject) // a denied request just times out
			waitViolation(t, agent, tc.subject)
		})
	}

	t.Run("denied/the system account with the agent's or an unknown key", func(t *testing.T) {
		kp, err := nkeys.CreateUser()
		if err != nil {
			t.Fatal(err)
		}
		seed, _ := kp.Seed()
		name := secrets.UserSeedName(nats.DefaultSystemAccount, "intruder")
		t.Setenv(name.EnvVar(), `{"seed":"`+string(seed)+`"}`)
		if _, err := nats.Connect(t.Context(), e.allURLs(), e.store, nats.DefaultSystemAccount, "intruder", natsgo.MaxReconnects(0)); err == nil {
			t.Fatal("a key not in the config connected")
		} else if !strings.Contains(strings.ToLower(err.Error()), "authorization") {
			t.Errorf("want an authorization error, got %v", err)
		}
		agent := e.connect(t, "HARMONY", "agent", e.allURLs())
		if _, err := jsOf(t, agent.Conn).AccountInfo(t.Context()); err == nil {
			t.Error("agent read account info")
		}
	})
}

func request(_ context.Context, c *conn, _ jetstream.JetStream, subject string) error {
	return c.PublishRequest(subject, c.NewRespInbox(), []byte("{}"))
}

func publish(_ context.Context, c *conn, _ jetstream.JetStream, subject string) error {
	return c.Publish(subject, []byte("x"))
}

func subscribe(_ context.Context, c *conn, _ jetstream.JetStream, subject string) error {
	_, err := c.SubscribeSync(subject)
	if err == nil {
		err = c.Flush()
	}
	return err
}

func ignoreNotFound(err error) error {
	if err == jetstream.ErrKeyNotFound {
		return nil
	}
	return err
}
