package nats_test

import (
	"slices"
	"testing"

	"github.com/harmony-go/harmony/modules/nats"
	"github.com/harmony-go/harmony/pkg/score"
	"github.com/harmony-go/harmony/secrets"
	"github.com/harmony-go/harmony/topology/local"
)

func threeSites() nats.Supercluster[*local.Local] {
	store, _ := secrets.New(secrets.WithBackends(secrets.Env()))
	return nats.Supercluster[*local.Local]{
		SuperclusterName: "sc",
		Sites:            []nats.Site{{Name: "a"}, {Name: "b"}, {Name: "c"}},
		Stretched:        &nats.Stretched{JetStream: nats.JetStream{MaxMemory: nats.MiB, MaxFile: nats.GiB}},
		Accounts:         []nats.Account{{Name: "HARMONY", JetStream: &nats.AccountJetStream{MaxMemory: nats.MiB, MaxFile: nats.MiB}}},
		Secrets:          store,
	}
}

func TestSiteLossValidation(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(sc *nats.Supercluster[*local.Local], kv *nats.KV[*local.Local])
		fields []string // paths that must be refused; none: valid
	}{
		{"stretched R3 survives", func(*nats.Supercluster[*local.Local], *nats.KV[*local.Local]) {}, nil},
		{"two sites", func(sc *nats.Supercluster[*local.Local], kv *nats.KV[*local.Local]) {
			sc.Sites = sc.Sites[:2]
			kv.Layout = sc.Layout()
		}, []string{"layout.sites", "placement.cluster"}},
		{"replicas below 3", func(_ *nats.Supercluster[*local.Local], kv *nats.KV[*local.Local]) { kv.Replicas = 2 }, []string{"replicas"}},
		{"one site holds a majority of the meta group", func(sc *nats.Supercluster[*local.Local], kv *nats.KV[*local.Local]) {
			sc.Sites[1].Servers = 3
			sc.Sites[1].JetStream = &nats.JetStream{MaxMemory: nats.MiB, MaxFile: nats.GiB}
			kv.Layout = sc.Layout()
		}, []string{"layout.servers"}},
		{"placement in an unknown cluster", func(_ *nats.Supercluster[*local.Local], kv *nats.KV[*local.Local]) {
			kv.Placement = &nats.Placement{Cluster: "nowhere"}
		}, []string{"placement.cluster"}},
		{"placement in a one-site cluster", func(sc *nats.Supercluster[*local.Local], kv *nats.KV[*local.Local]) {
			sc.Sites[0].Servers = 3
			sc.Sites[0].JetStream = &nats.JetStream{MaxMemory: nats.MiB, MaxFile: nats.GiB}
			sc.Sites = append(sc.Sites, nats.Site{Name: "d"}, nats.Site{Name: "e"})
			kv.Layout = sc.Layout()
			kv.Placement = &nats.Placement{Cluster: "a"}
		}, []string{"placement.cluster"}},
		{"placement tags no server has", func(_ *nats.Supercluster[*local.Local], kv *nats.KV[*local.Local]) {
			kv.Placement = &nats.Placement{Cluster: "harmony", Tags: []string{"ssd"}}
		}, []string{"placement.tags"}},
		{"no placement", func(_ *nats.Supercluster[*local.Local], kv *nats.KV[*local.Local]) { kv.Placement = nil }, []string{"placement.cluster"}},
		{"no layout", func(_ *nats.Supercluster[*local.Local], kv *nats.KV[*local.Local]) { kv.Layout = nil }, []string{"layout"}},
		{"site loss not asked", func(_ *nats.Supercluster[*local.Local], kv *nats.KV[*local.Local]) {
			kv.SurviveSiteLoss = false
			kv.Replicas = 1
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := threeSites()
			kv := nats.StretchedKV(sc, "desired", "HARMONY", "admin")
			tc.edit(&sc, &kv)
			var got []string
			for _, fe := range score.FieldErrors(kv.Validate()) {
				got = append(got, fe.Path)
			}
			if len(tc.fields) == 0 && len(got) > 0 {
				t.Fatalf("want valid, got %v", kv.Validate())
			}
			for _, f := range tc.fields {
				if !slices.Contains(got, f) {
					t.Errorf("want %s refused, got %v", f, kv.Validate())
				}
			}
		})
	}
}

// TestUniqueTagIsTheSiteTag: servers carry the stretched cluster's unique
// tag, whatever its prefix, since the server places replicas only on
// servers that have it; a layout whose servers lack it is refused.
func TestUniqueTagIsTheSiteTag(t *testing.T) {
	sc := threeSites()
	sc.Stretched.UniqueTag = "zone:"
	l := sc.Layout()
	if l.UniqueTag != "zone:" || len(l.Servers) != 3 {
		t.Fatalf("layout %+v", l)
	}
	for _, s := range l.Servers {
		if !slices.Contains(s.Tags, "zone:"+s.Site) {
			t.Errorf("server %s has tags %v, want zone:%s", s.Name, s.Tags, s.Site)
		}
	}
	kv := nats.StretchedKV(sc, "desired", "HARMONY", "admin")
	if err := kv.Validate(); err != nil {
		t.Fatalf("custom unique tag: %v", err)
	}
	kv.Layout.UniqueTag = "rack:" // no server carries it
	var got []string
	for _, fe := range score.FieldErrors(kv.Validate()) {
		got = append(got, fe.Path)
	}
	if !slices.Contains(got, "placement.cluster") {
		t.Fatalf("servers without the unique tag: want placement.cluster refused, got %v", kv.Validate())
	}
}
