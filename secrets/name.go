package secrets

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"unicode"
)

// EnvPrefix starts the name of the environment variable that supplies a
// secret: the secret "nats-user-harmony-agent" is read from
// HARMONY_SECRET_NATS_USER_HARMONY_AGENT. See [Name.EnvVar].
const EnvPrefix = "HARMONY_SECRET_"

// Name is the stable name of a secret: lowercase ASCII letters and digits in
// words joined by single dashes ("nats-user-harmony-agent"). The name keys the
// secret in every backend, so renaming a type or an instance orphans what was
// stored under the old name.
//
// Build names with [NameFor] (or [UserSeedName] and [AccountSeedName]); a
// literal Name("…") is fine as long as it follows the rule, which every
// function taking a Name checks with [Name.Validate].
type Name string

var nameRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Validate reports whether n follows the naming rule; the error wraps
// [ErrInvalidName].
func (n Name) Validate() error {
	if !nameRE.MatchString(string(n)) {
		return fmt.Errorf("secrets: %q: %w: want lowercase letters and digits in words joined by '-'", string(n), ErrInvalidName)
	}
	return nil
}

// EnvVar returns the environment variable the env backend reads for n:
// [EnvPrefix] followed by n upper-cased with '-' turned into '_'.
func (n Name) EnvVar() string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(string(n), "-", "_"))
}

// String returns the name itself (a name is not secret).
func (n Name) String() string { return string(n) }

// Namer lets a type choose the base of its secret name instead of the one
// derived from its Go type name. [NameFor] calls SecretName on the zero value.
type Namer interface {
	SecretName() string
}

// NameFor derives the name of a secret of type T, optionally for one
// instance.
//
// The base is T's SecretName() if T (or *T) implements [Namer], else T's Go
// type name in kebab case: words split where a lowercase letter or digit is
// followed by an uppercase one and before the last capital of an acronym
// ("NKeySeed" → "n-key-seed", "NATSAdmin" → "nats-admin"). Each instance
// part is lower-cased and every run of characters other than a-z and 0-9
// becomes one '-' ("HARMONY" → "harmony", "team.a" → "team-a"); parts empty
// after that are dropped. Base and parts are joined with '-'. Distinct inputs
// can meet ("a-b" and "a", "b"); choose instance parts that cannot.
//
// NameFor never fails; an unnamed T without a Namer gives a name that
// [Name.Validate] rejects.
func NameFor[T any](instance ...string) Name {
	t := reflect.TypeFor[T]()
	base := ""
	if n, ok := namerOf(t); ok {
		base = slug(n.SecretName())
	} else {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		base = kebab(t.Name())
	}
	return joinName(base, instance...)
}

func namerOf(t reflect.Type) (Namer, bool) {
	namer := reflect.TypeFor[Namer]()
	switch {
	case t.Kind() != reflect.Pointer && t.Implements(namer):
		n, ok := reflect.Zero(t).Interface().(Namer)
		return n, ok
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(namer):
		n, ok := reflect.New(t).Interface().(Namer)
		return n, ok
	case t.Kind() == reflect.Pointer && t.Elem().Kind() != reflect.Pointer:
		return namerOf(t.Elem())
	}
	return nil, false
}

func joinName(base string, instance ...string) Name {
	parts := []string{base}
	for _, p := range instance {
		if s := slug(p); s != "" {
			parts = append(parts, s)
		}
	}
	return Name(strings.Join(parts, "-"))
}

// slug lower-cases s and turns every run of characters other than a-z0-9
// into a single '-', trimming dashes at both ends.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// kebab splits a Go identifier into words (see [NameFor]) and slugs them.
func kebab(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('-')
			}
		}
		b.WriteRune(r)
	}
	return slug(b.String())
}
