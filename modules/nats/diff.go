package nats

import "github.com/harmony-go/harmony/topology"

// diffConfig explains how a server of site takes desired in place of live.
func diffConfig(site string, live, desired []byte, names map[string]string) (topology.ConfigDiff, error) {
	return topology.ConfigDiff{Restart: true}, nil
}
