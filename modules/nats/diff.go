package nats

import (
	"errors"
	"fmt"
	"slices"

	"github.com/harmony-go/harmony/pkg/score"
	"github.com/harmony-go/harmony/topology"
)

// diffConfig explains how a server takes desired in place of live: restart
// or reload (the rules of ClassifyChange), with each account and user difference named
// (DiffAuth; names maps public keys to "account/user") and every other
// differing setting listed. A live config that does not parse (edited by
// hand) is replaced with a restart.
func diffConfig(live, desired []byte, names map[string]string) (topology.ConfigDiff, error) {
	n, err := parseServerConfig(desired)
	if err != nil {
		return topology.ConfigDiff{}, fmt.Errorf("rendered config: %w", err) // our own bug: refuse
	}
	o, err := parseServerConfig(live)
	if err != nil {
		return topology.ConfigDiff{Restart: true, Changes: []score.Change{{Field: "config",
			Detail: "the server's config file does not parse (edited by hand?): " + err.Error()}}}, nil
	}
	var differ optionsDiffer
	differ.compare(o, n)
	cc := differ.result()
	d := topology.ConfigDiff{Restart: cc.Restart}
	if slices.Contains(cc.Fields, "accounts") || slices.Contains(cc.Fields, "system_account") {
		la, lerr := authStateOf(o.opts)
		da, derr := authStateOf(n.opts)
		if err := errors.Join(lerr, derr); err != nil {
			return topology.ConfigDiff{}, err
		}
		for _, ad := range DiffAuth(la, da, names) {
			d.Changes = append(d.Changes, score.Change{Field: authPath(ad), From: ad.Live, To: ad.Desired, Detail: ad.String()})
		}
	}
	for _, f := range cc.Fields {
		if f == "accounts" && len(d.Changes) > 0 {
			continue // named user by user above
		}
		detail := "reloads in place"
		if slices.Contains(cc.RestartFields, f) {
			detail = "needs a restart"
		}
		d.Changes = append(d.Changes, score.Change{Field: f, Detail: detail})
	}
	return d, nil
}

// authPath is the JSON-ish path of an auth difference:
// "accounts.HARMONY.users.agent.permissions.publish.allow".
func authPath(ad AuthDiff) string {
	p := "accounts." + ad.Account
	if ad.User != "" {
		p += ".users." + ad.User
	}
	if ad.Field != "" && ad.Field != "user" && ad.Field != "account" {
		p += "." + ad.Field
	}
	return p
}
