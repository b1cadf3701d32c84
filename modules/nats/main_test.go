package nats_test

import (
	"flag"
	"os"
	"testing"

	"github.com/harmony-go/harmony/topology/local"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestMain lets this test binary act as the harmony server binary the local
// topology starts servers from.
func TestMain(m *testing.M) {
	local.RunServerIfRequested()
	os.Exit(m.Run())
}
