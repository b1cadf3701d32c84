// Package nats holds harmony's NATS scores (nats.cluster, and later the
// supercluster, accounts, users and KV buckets) and the one config renderer
// every topology uses to write nats-server configuration.
//
// It imports pkg/score, pkg/inventory and topology (the capability
// interfaces), never a topology implementation. The NATS client package is
// imported as natsgo wherever it is needed, to keep this package's name free.
//
// Scores are plain values: build one, Validate it (every problem at once,
// each naming its field by JSON path), and hand it to maestro or cli.Run.
package nats
