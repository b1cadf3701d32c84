package score

// Action is what a Change does.
type Action string

// The actions a Change may carry.
const (
	ActionCreate  Action = "create"
	ActionUpdate  Action = "update"
	ActionDelete  Action = "delete"
	ActionReload  Action = "reload"  // applied in place, e.g. SIGHUP to a server
	ActionRestart Action = "restart" // needs a (rolling) restart
	ActionHeal    Action = "heal"    // live state drifted from desired state
)

// Change is one difference between desired and actual state. It never holds
// a secret value.
type Change struct {
	Action Action `json:"action"`
	// Target names what changes, e.g. "server/c1-0" or "account/HARMONY".
	Target string `json:"target"`
	// Field is the JSON path of the changed field, when one field changed.
	Field  string `json:"field,omitempty"`
	From   string `json:"from,omitempty"`
	To     string `json:"to,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// Plan lists what applying a score would change. An empty Plan means a run
// would report Unchanged and write nothing.
type Plan struct {
	Score   string   `json:"score"`
	Changes []Change `json:"changes"`
}

// Empty reports whether the plan changes nothing.
func (p Plan) Empty() bool { return len(p.Changes) == 0 }
