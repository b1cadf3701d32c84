package secrets

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/invopop/jsonschema"
)

// Redacted is what every rendering of a [Value] prints instead of the
// plaintext.
const Redacted = "REDACTED"

// Value is a secret string. Every way of printing it — fmt's %v, %+v, %#v,
// %s, %q and any other verb, [Value.String], [Value.GoString], JSON,
// text marshalling and log/slog — yields [Redacted]; the plaintext comes out
// only through [Value.Reveal].
//
// Decoding (JSON or text) accepts the plaintext, so a secret type that holds
// Values is read from a backend or from HARMONY_SECRET_<NAME> as ordinary
// JSON ({"seed":"SU…"}). Decoding the literal "REDACTED" fails, so redacted
// output fed back in cannot silently become a secret.
//
// The plaintext sits behind a pointer: even when a Value is an unexported
// struct field, where fmt cannot call its methods, fmt prints an address
// and not the text. Tools that follow pointers by reflection (deep-dump
// libraries) can still reach it; do not hand them secrets.
//
// The zero Value is the empty secret. Values are copied by reference to the
// same immutable plaintext; compare them with [Value.Equal], not ==.
type Value struct {
	p *string
}

// NewValue wraps plaintext as a secret.
func NewValue(plaintext string) Value { return Value{p: &plaintext} }

// Reveal returns the plaintext. Call it only where the secret leaves the
// process for its intended use (a connection's credentials, a keyring).
func (v Value) Reveal() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

// IsZero reports whether v is empty; it makes `json:",omitzero"` omit empty
// secrets.
func (v Value) IsZero() bool { return v.Reveal() == "" }

// Equal reports whether v and o hold the same plaintext, in time that does
// not depend on where they differ.
func (v Value) Equal(o Value) bool {
	return subtle.ConstantTimeCompare([]byte(v.Reveal()), []byte(o.Reveal())) == 1
}

// String returns [Redacted].
func (Value) String() string { return Redacted }

// GoString returns [Redacted], so %#v of a struct holding v shows
// Field:REDACTED.
func (Value) GoString() string { return Redacted }

// Format prints [Redacted] for every verb and flag.
func (Value) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Redacted)) }

// LogValue makes log/slog print [Redacted].
func (Value) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalJSON returns the JSON string "REDACTED". Stores write secrets
// through their own encoder, which reveals the plaintext.
func (Value) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText returns [Redacted], for encoders that use
// encoding.TextMarshaler (YAML, TOML, map keys).
func (Value) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

var errRedactedInput = errors.New("secrets: refusing to decode the placeholder " + Redacted + " as a secret")

// UnmarshalJSON accepts a JSON string holding the plaintext (or null for the
// empty secret). It rejects "REDACTED". Its errors never quote the input.
func (v *Value) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*v = Value{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("secrets: a secret value must be a JSON string")
	}
	return v.UnmarshalText([]byte(s))
}

// UnmarshalText accepts the plaintext. It rejects "REDACTED".
func (v *Value) UnmarshalText(b []byte) error {
	if string(b) == Redacted {
		return errRedactedInput
	}
	*v = NewValue(string(b))
	return nil
}

// JSONSchema describes a Value as a write-only string, so schemas generated
// with invopop/jsonschema show secret fields as strings and prompts read them
// without echo.
func (Value) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "string", WriteOnly: true}
}
