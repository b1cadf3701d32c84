package nats_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/harmony-go/harmony/internal/testutil"
	"github.com/harmony-go/harmony/pkg/maestro"
	"github.com/harmony-go/harmony/pkg/score"
	"github.com/harmony-go/harmony/topology/local"
)

// TestSuperclusterPortHeldElsewhere holds site b's gateway port with
// another listener: validation names the site's port field, reads no
// secret and writes nothing.
func TestSuperclusterPortHeldElsewhere(t *testing.T) {
	sc := threeSites() // its store is env-only: reading a seed would fail
	sc.PortBase = testutil.PortBase(t, 30, 0, 1000, 2000, 3000)
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(sc.PortBase+10+3000)) // site 1, server 0, gateway
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	stateDir := filepath.Join(t.TempDir(), "state")
	topo, err := local.New("sc", local.WithStateDir(stateDir))
	if err != nil {
		t.Fatal(err)
	}
	m, err := maestro.New(topo)
	if err != nil {
		t.Fatal(err)
	}
	err = m.Validate(t.Context(), []score.Score[*local.Local]{sc})
	if !errors.Is(err, maestro.ErrInvalid) {
		t.Fatalf("want ErrInvalid, got %v", err)
	}
	var paths []string
	for _, fe := range score.FieldErrors(err) {
		paths = append(paths, fe.Path)
	}
	if len(paths) != 1 || paths[0] != "sites[1].ports.gateway" {
		t.Fatalf("want exactly sites[1].ports.gateway, got %v (%v)", paths, err)
	}
	if _, err := os.Stat(stateDir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("validation wrote the state dir: %v", err)
	}
}
