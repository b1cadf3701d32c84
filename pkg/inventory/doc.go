// Package inventory holds facts about the hosts and sites a topology may use
// (names, addresses, labels). Scores read it during Plan and Execute; it is
// filled by the caller before a run and not changed during one.
//
// It imports only the standard library.
package inventory
