package secrets

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

type Inner struct {
	Token Value `json:"token"`
	Note  string
}

type revealCase struct {
	Inner                           // promoted fields
	Name     string                 `json:"name"`
	Secret   Value                  `json:"secret"`
	Optional Value                  `json:"optional,omitempty"`
	Ptr      *Value                 `json:"ptr"`
	NilPtr   *Inner                 `json:"nil_ptr,omitempty"`
	List     []Value                `json:"list"`
	ByHost   map[string]Inner       `json:"by_host"`
	When     time.Time              `json:"when"`
	Count    int                    `json:"count,string"`
	Skip     Value                  `json:"-"`
	Nested   struct{ Deep []Inner } `json:"nested"`
	hidden   Value
}

func TestEncodeRevealedRoundTrip(t *testing.T) {
	p := NewValue("ptr-secret")
	in := revealCase{
		Inner:  Inner{Token: NewValue("tok"), Note: "n"},
		Name:   "x",
		Secret: NewValue(`quote" and \ backslash`),
		Ptr:    &p,
		List:   []Value{NewValue("a"), NewValue("b")},
		ByHost: map[string]Inner{"h2": {Token: NewValue("t2")}, "h1": {Token: NewValue("t1")}},
		When:   time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Count:  7,
		Skip:   NewValue("skipped"),
		hidden: NewValue("hidden"),
	}
	in.Nested.Deep = []Inner{{Token: NewValue("deep")}}

	data, err := encodeRevealed(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"REDACTED", "skipped", "hidden", `"optional"`, "nil_ptr"} {
		if strings.Contains(string(data), s) {
			t.Errorf("encoding %s contains %q", data, s)
		}
	}
	if !strings.Contains(string(data), `"count":"7"`) {
		t.Errorf("encoding %s ignores the string option", data)
	}
	var out revealCase
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
	reveal := func(v revealCase) []string {
		r := []string{v.Token.Reveal(), v.Note, v.Name, v.Secret.Reveal(), v.Ptr.Reveal(), v.Optional.Reveal()}
		for _, l := range v.List {
			r = append(r, l.Reveal())
		}
		r = append(r, v.ByHost["h1"].Token.Reveal(), v.ByHost["h2"].Token.Reveal(), v.Nested.Deep[0].Token.Reveal(),
			v.When.String(), reflect.ValueOf(v.Count).String())
		return r
	}
	if got, want := reveal(out), reveal(in); !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip: got %q, want %q", got, want)
	}
}

type marshalsItself struct{ V Value }

func (marshalsItself) MarshalJSON() ([]byte, error) { return []byte(`{}`), nil }

func TestEncodeRevealedRefuses(t *testing.T) {
	tests := []struct {
		name string
		v    any
	}{
		{"own marshaler", marshalsItself{V: NewValue("x")}},
		{"non-string map key", map[int]Value{1: NewValue("x")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := encodeRevealed(tt.v); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}

func TestShapeOf(t *testing.T) {
	type shaped struct {
		Seed Value  `json:"seed"`
		Port int    `json:"port"`
		TLS  bool   `json:"tls"`
		Mode string `json:"mode" jsonschema:"enum=a,enum=b"`
	}
	s, err := schemaOf(reflect.TypeFor[shaped]())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := shapeOf(s, s), `{"seed":"<string>","port":<integer>,"tls":<true|false>,"mode":"a|b"}`; got != want {
		t.Fatalf("shape = %s, want %s", got, want)
	}
}
