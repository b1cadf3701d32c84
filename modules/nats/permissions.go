package nats

// Permissions say what a user may publish and subscribe to. An empty Rule
// allows everything in its direction; Deny wins over Allow.
type Permissions struct {
	Publish   Rule `json:"publish"`
	Subscribe Rule `json:"subscribe"`
	// AllowResponses lets the user publish replies to requests it received.
	AllowResponses bool `json:"allowResponses,omitempty"`
}

// Rule lists allowed and denied subjects (wildcards allowed).
type Rule struct {
	Allow []string `json:"allow,omitempty"`
	Deny  []string `json:"deny,omitempty"`
}

// KVUserPermissions returns the least privilege a client needs to bind to,
// put, get, delete, watch and list the keys of the given buckets with
// nats.go's jetstream package, and nothing more: no bucket creation or
// deletion, no other bucket or stream, no account info, no system subjects.
// Replies come on _INBOX.> (see research/nats.md for each subject's
// evidence).
func KVUserPermissions(buckets ...string) *Permissions {
	p := &Permissions{Subscribe: Rule{Allow: []string{"_INBOX.>"}}}
	for _, b := range buckets {
		stream := "KV_" + b
		p.Publish.Allow = append(p.Publish.Allow,
			"$KV."+b+".>",
			"$JS.API.STREAM.INFO."+stream,
			"$JS.API.DIRECT.GET."+stream,
			"$JS.API.DIRECT.GET."+stream+".>",
			"$JS.API.CONSUMER.CREATE."+stream+".>",
			"$JS.API.CONSUMER.DELETE."+stream+".>",
		)
	}
	p.Publish.Allow = append(p.Publish.Allow, "$JS.FC.>")
	return p
}
