package main

import (
	"strings"
	"testing"

	"github.com/harmony-go/harmony/modules/nats"
	"github.com/harmony-go/harmony/pkg/score"
)

// testBucketChangesInPlace changes a bucket's replicas and placement and
// expects an update in place (same stream, same data); a storage change
// cannot be done in place and is refused with the reason, data intact.
func testBucketChangesInPlace(t *testing.T, e *env) {
	scratch := nats.StretchedKV(e.sc, "scratch", "HARMONY", "admin")
	scratch.SurviveSiteLoss = false
	scratch.Replicas = 1
	scratch.Placement = &nats.Placement{Cluster: "harmony", Tags: []string{"site:a"}}
	e.scores = append(e.scores, scratch)
	defer func() { e.scores = e.scores[:len(e.scores)-1] }()
	e.apply(t)

	admin := e.connect(t, "HARMONY", "admin", e.allURLs())
	js := jsOf(t, admin.Conn)
	kv, err := js.KeyValue(t.Context(), "scratch")
	if err != nil {
		t.Fatal(err)
	}
	rev, err := kv.Put(t.Context(), "keep", []byte("me"))
	if err != nil {
		t.Fatal(err)
	}
	stream, err := js.Stream(t.Context(), "KV_scratch")
	if err != nil {
		t.Fatal(err)
	}
	created := stream.CachedInfo().Created

	scratch.Replicas = 3
	scratch.Placement = &nats.Placement{Cluster: "harmony"}
	e.scores[len(e.scores)-1] = scratch
	code, rep := e.plan(t)
	if plan := fmtChanges(rep.Changes()); code != 2 || !strings.Contains(plan, "replicas 1 -> 3") || !strings.Contains(plan, "placement cluster=harmony tags=[site:a] -> cluster=harmony") {
		t.Fatalf("plan exit %d, changes %s", code, fmtChanges(rep.Changes()))
	}
	rep = e.apply(t)
	if got := rep.Outcomes[len(rep.Outcomes)-1]; got.Status != score.Updated || !strings.Contains(got.Message, "in place") {
		t.Fatalf("outcome %+v", got)
	}
	stream, err = js.Stream(t.Context(), "KV_scratch")
	if err != nil {
		t.Fatal(err)
	}
	info := stream.CachedInfo()
	if !info.Created.Equal(created) || info.Config.Replicas != 3 {
		t.Errorf("bucket recreated or not updated: created %v -> %v, replicas %d", created, info.Created, info.Config.Replicas)
	}
	if e, err := kv.Get(t.Context(), "keep"); err != nil || e.Revision() != rev || string(e.Value()) != "me" {
		t.Errorf("data lost in the update: %v %v", e, err)
	}

	scratch.Storage = nats.MemoryStorage
	e.scores[len(e.scores)-1] = scratch
	code, rep = e.run(t)
	if code != 1 || !strings.Contains(rep.Error, "storage") || !strings.Contains(rep.Error, "cannot change in place") {
		t.Errorf("storage change: exit %d, %s", code, rep.Error)
	}
	if e, err := kv.Get(t.Context(), "keep"); err != nil || e.Revision() != rev {
		t.Errorf("data lost after the refused change: %v %v", e, err)
	}
}

func fmtChanges(cs []score.Change) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.Target + " " + c.Field + " " + c.From + " -> " + c.To + "; ")
	}
	return b.String()
}
