package secrets_test

import (
	"errors"
	"testing"

	"github.com/harmony-go/harmony/secrets"
)

type NATSAdmin struct{}
type NKeyThing struct{}
type HTTPToken2FA struct{}
type customNamed struct{}

func (customNamed) SecretName() string { return "Custom Thing" }

type pointerNamed struct{}

func (*pointerNamed) SecretName() string { return "ptr-named" }

func TestNameFor(t *testing.T) {
	tests := []struct {
		name string
		got  secrets.Name
		want secrets.Name
	}{
		{"acronym then word", secrets.NameFor[NATSAdmin](), "nats-admin"},
		{"single capital", secrets.NameFor[NKeyThing](), "n-key-thing"},
		{"digits", secrets.NameFor[HTTPToken2FA](), "http-token2-fa"},
		{"package type", secrets.NameFor[secrets.NKeySeed](), "n-key-seed"},
		{"pointer type", secrets.NameFor[*NATSAdmin](), "nats-admin"},
		{"instances", secrets.NameFor[NATSAdmin]("Prod", "eu.west-1"), "nats-admin-prod-eu-west-1"},
		{"empty instance dropped", secrets.NameFor[NATSAdmin]("", "--", "x"), "nats-admin-x"},
		{"namer", secrets.NameFor[customNamed]("a"), "custom-thing-a"},
		{"pointer namer", secrets.NameFor[pointerNamed](), "ptr-named"},
		{"user seed", secrets.UserSeedName("HARMONY", "agent"), "nats-user-harmony-agent"},
		{"account seed", secrets.AccountSeedName("HARMONY"), "nats-account-harmony"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %q, want %q", tt.got, tt.want)
			}
			if err := tt.got.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func TestNameValidate(t *testing.T) {
	tests := []struct {
		name    secrets.Name
		wantErr bool
	}{
		{"a", false},
		{"nats-user-harmony-agent", false},
		{"", true},
		{"Upper", true},
		{"double--dash", true},
		{"-leading", true},
		{"trailing-", true},
		{"under_score", true},
		{"../escape", true},
		{secrets.NameFor[map[string]string](), true},
	}
	for _, tt := range tests {
		t.Run(string(tt.name), func(t *testing.T) {
			err := tt.name.Validate()
			if tt.wantErr != (err != nil) {
				t.Fatalf("Validate(%q) = %v, want error %v", tt.name, err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, secrets.ErrInvalidName) {
				t.Fatalf("error %v does not wrap ErrInvalidName", err)
			}
		})
	}
}

func TestNameEnvVar(t *testing.T) {
	if got, want := secrets.UserSeedName("HARMONY", "agent").EnvVar(), "HARMONY_SECRET_NATS_USER_HARMONY_AGENT"; got != want {
		t.Fatalf("EnvVar = %q, want %q", got, want)
	}
}
