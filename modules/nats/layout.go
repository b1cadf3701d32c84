package nats

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/harmony-go/harmony/pkg/score"
)

// Layout describes where a deployment's JetStream servers sit, so a bucket
// can check, before anything runs, that it can survive the loss of a site.
// Supercluster.Layout fills it; StretchedKV passes it to the bucket.
type Layout struct {
	// Sites lists the deployment's sites.
	Sites []string `json:"sites"`
	// Servers lists every JetStream server: its cluster, site and tags.
	// Together they form the JetStream meta group.
	Servers []LayoutServer `json:"servers"`
	// UniqueTag is the tag prefix replicas must differ in ("site:").
	UniqueTag string `json:"uniqueTag,omitempty"`
	// Owner names the score the layout comes from, for error messages.
	Owner string `json:"owner,omitempty"`
}

// LayoutServer is one JetStream server of a Layout.
type LayoutServer struct {
	Name    string   `json:"name"`
	Cluster string   `json:"cluster"`
	Site    string   `json:"site"`
	Tags    []string `json:"tags,omitempty"`
}

// Layout returns where the supercluster's JetStream servers sit.
func (s Supercluster[T]) Layout() *Layout {
	l := &Layout{UniqueTag: s.uniqueTag(), Owner: s.Name()}
	for _, site := range s.Sites {
		l.Sites = append(l.Sites, site.Name)
	}
	for _, m := range s.members() {
		if m.jetStream != nil {
			l.Servers = append(l.Servers, LayoutServer{Name: m.name, Cluster: m.cluster, Site: m.site, Tags: m.tags})
		}
	}
	return l
}

// siteLossProblems lists why a bucket with these replicas and placement
// would not survive the loss of any one site of l, each naming the bucket's
// field.
func siteLossProblems(l *Layout, replicas int, p *Placement) score.ErrorList {
	var errs score.ErrorList
	if l == nil {
		return score.ErrorList{score.Required("layout", "surviving a site loss needs the deployment's layout (use nats.StretchedKV)")}
	}
	owner := ""
	if l.Owner != "" {
		owner = " of " + l.Owner
	}
	if len(l.Sites) < 3 {
		errs = append(errs, score.Invalid("layout.sites", fmt.Sprintf("%d site(s)%s: surviving a site loss needs at least 3, so the others keep a majority", len(l.Sites), owner)))
	}
	if replicas < 3 {
		errs = append(errs, score.Invalid("replicas", fmt.Sprintf("%d: surviving a site loss needs 3 replicas, one per site", replicas)))
	}
	// The meta group spans every JetStream server; losing a site must keep
	// a strict majority of it.
	perSite := map[string]int{}
	for _, s := range l.Servers {
		perSite[s.Site]++
	}
	total := len(l.Servers)
	for _, site := range sortedKeys(perSite) {
		if n := perSite[site]; total-n <= total/2 {
			errs = append(errs, score.Invalid("layout.servers", fmt.Sprintf("site %s holds %d of the %d JetStream servers%s: losing it loses the meta group's quorum (no watch, no new consumer anywhere)", site, n, total, owner)))
		}
	}
	// The placement must be satisfiable with one replica per site, in one
	// cluster (a stream's replicas never span clusters).
	if p == nil || p.Cluster == "" {
		errs = append(errs, score.Required("placement.cluster", "pin the bucket to one cluster stretched across the sites: a stream's replicas all live in one cluster"))
		return errs
	}
	var candidates []LayoutServer
	for _, s := range l.Servers {
		if s.Cluster == p.Cluster {
			candidates = append(candidates, s)
		}
	}
	if len(candidates) == 0 {
		errs = append(errs, score.Invalid("placement.cluster", fmt.Sprintf("no JetStream server%s is in cluster %q", owner, p.Cluster)))
		return errs
	}
	if len(p.Tags) > 0 {
		var tagged []LayoutServer
		for _, s := range candidates {
			if hasAll(s.Tags, p.Tags) {
				tagged = append(tagged, s)
			}
		}
		if len(tagged) == 0 {
			errs = append(errs, score.Invalid("placement.tags", fmt.Sprintf("no server of cluster %q has all of %v", p.Cluster, p.Tags)))
			return errs
		}
		candidates = tagged
	}
	if l.UniqueTag == "" {
		errs = append(errs, score.Invalid("layout.uniqueTag", "without a unique tag the server may put two replicas on one site"))
		return errs
	}
	// The server places a replica only on a server carrying a tag with
	// the unique prefix, one per distinct value.
	sites := map[string]bool{}
	for _, s := range candidates {
		if slices.ContainsFunc(s.Tags, func(t string) bool { return strings.HasPrefix(t, l.UniqueTag) }) {
			sites[s.Site] = true
		}
	}
	if len(sites) < max(replicas, 3) {
		errs = append(errs, score.Invalid("placement.cluster", fmt.Sprintf("cluster %q has JetStream servers tagged %q on %d site(s) (%s): %d replicas cannot each sit on a different site", p.Cluster, l.UniqueTag+"<site>", len(sites), strings.Join(sortedKeys(sites), ", "), max(replicas, 3))))
	}
	return errs
}

func hasAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
