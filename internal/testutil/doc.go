// Package testutil holds helpers shared by harmony's tests: free ports,
// polling until a deadline, and reading the local topology's state files.
// Only _test.go files import it.
package testutil
