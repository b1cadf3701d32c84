package score_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/harmony-go/harmony/pkg/score"
)

func ExampleErrorList() {
	var errs score.ErrorList
	errs = append(errs, score.Required("name", "a cluster needs a name"))
	errs = append(errs, score.Duplicate("servers[2].name", `"a" is also the name of servers[0]`))
	fmt.Println(errs.Err())
	// Output: 2 problems: name: required: a cluster needs a name; servers[2].name: duplicate: "a" is also the name of servers[0]
}

func TestErrorListWrapsEveryFieldError(t *testing.T) {
	var empty score.ErrorList
	if empty.Err() != nil {
		t.Fatal("an empty list must be a nil error")
	}
	list := score.ErrorList{score.Invalid("a", "x"), score.Forbidden("b", "y")}
	wrapped := fmt.Errorf("nats.cluster/c: validate: %w", errors.Join(list.Prefix("spec"), errors.New("other")))
	got := score.FieldErrors(wrapped)
	if len(got) != 2 || got[0].Path != "spec.a" || got[1].Path != "spec.b" || got[1].Type != score.ErrorForbidden {
		t.Fatalf("FieldErrors = %v", got)
	}
	var fe *score.FieldError
	if !errors.As(wrapped, &fe) || fe.Path != "spec.a" {
		t.Errorf("errors.As found %v", fe)
	}
	if p := (score.ErrorList{score.Invalid("[0].x", "")}).Prefix("servers"); p[0].Path != "servers[0].x" {
		t.Errorf("index prefix: %s", p[0].Path)
	}
}

func TestPermanent(t *testing.T) {
	base := errors.New("refused")
	p := fmt.Errorf("apply: %w", score.Permanent(base))
	if !score.IsPermanent(p) || !errors.Is(p, base) {
		t.Errorf("permanent error must match both ErrPermanent and its cause: %v", p)
	}
	if score.IsPermanent(base) || score.Permanent(nil) != nil {
		t.Error("unmarked errors are not permanent; Permanent(nil) is nil")
	}
}

func TestKind(t *testing.T) {
	if k := score.Kind("nats.kv/desired-state"); k != "nats.kv" {
		t.Errorf("Kind = %q", k)
	}
}
