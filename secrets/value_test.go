package secrets_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/harmony-go/harmony/secrets"
)

const canary = "canary-7f3a9c-plaintext"

type withExported struct {
	User     string
	Password secrets.Value
}

type withUnexported struct {
	user     string
	password secrets.Value
}

func TestValueRedacted(t *testing.T) {
	v := secrets.NewValue(canary)
	exp := withExported{User: "admin", Password: v}
	unexp := withUnexported{user: "admin", password: v}

	tests := []struct {
		name   string
		render func() string
		want   string // substring the output must contain
	}{
		{"%v", func() string { return fmt.Sprintf("%v", v) }, "REDACTED"},
		{"%+v", func() string { return fmt.Sprintf("%+v", v) }, "REDACTED"},
		{"%#v", func() string { return fmt.Sprintf("%#v", v) }, "REDACTED"},
		{"%s", func() string { return fmt.Sprintf("%s", v) }, "REDACTED"},
		{"%q", func() string { return fmt.Sprintf("%q", v) }, "REDACTED"},
		{"%x", func() string { return fmt.Sprintf("%x", v) }, "REDACTED"},
		{"pointer %v", func() string { return fmt.Sprintf("%v", &v) }, "REDACTED"},
		{"String", v.String, "REDACTED"},
		{"GoString", v.GoString, "REDACTED"},
		{"struct %+v", func() string { return fmt.Sprintf("%+v", exp) }, "Password:REDACTED"},
		{"struct %#v", func() string { return fmt.Sprintf("%#v", exp) }, "Password:REDACTED"},
		{"struct pointer %+v", func() string { return fmt.Sprintf("%+v", &exp) }, "Password:REDACTED"},
		{"unexported field %+v", func() string { return fmt.Sprintf("%+v", unexp) }, "password:"},
		{"unexported field %#v", func() string { return fmt.Sprintf("%#v", unexp) }, "password:"},
		{"json", func() string { b, _ := json.Marshal(v); return string(b) }, `"REDACTED"`},
		{"json struct", func() string { b, _ := json.Marshal(exp); return string(b) }, `"Password":"REDACTED"`},
		{"text", func() string { b, _ := v.MarshalText(); return string(b) }, "REDACTED"},
		{"error %v", func() string { return fmt.Errorf("dial: %v", exp).Error() }, "REDACTED"},
		{"slog text", func() string {
			var buf bytes.Buffer
			slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})).Debug("x", "v", v, "s", exp, "p", &exp)
			return buf.String()
		}, "v=REDACTED"},
		{"slog json", func() string {
			var buf bytes.Buffer
			slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})).Debug("x", "v", v, "s", exp)
			return buf.String()
		}, `"v":"REDACTED"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.render()
			if strings.Contains(got, canary) {
				t.Fatalf("output %q contains the plaintext", got)
			}
			if !strings.Contains(got, tt.want) {
				t.Fatalf("output %q does not contain %q", got, tt.want)
			}
		})
	}
}

func TestValueReveal(t *testing.T) {
	var zero secrets.Value
	if zero.Reveal() != "" || !zero.IsZero() {
		t.Fatalf("zero Value: Reveal %q, IsZero %v", zero.Reveal(), zero.IsZero())
	}
	v := secrets.NewValue(canary)
	if v.Reveal() != canary || v.IsZero() {
		t.Fatalf("Reveal = %q, IsZero %v", v.Reveal(), v.IsZero())
	}
	if !v.Equal(secrets.NewValue(canary)) || v.Equal(secrets.NewValue("other")) {
		t.Fatal("Equal compares plaintexts")
	}
}

func TestValueUnmarshal(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr bool
	}{
		{name: "plaintext", in: `{"User":"u","Password":"` + canary + `"}`, want: canary},
		{name: "null", in: `{"Password":null}`, want: ""},
		{name: "redacted placeholder", in: `{"Password":"REDACTED"}`, wantErr: true},
		{name: "not a string", in: `{"Password":12345}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got withExported
			err := json.Unmarshal([]byte(tt.in), &got)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				if strings.Contains(err.Error(), "12345") {
					t.Fatalf("error %q quotes the input", err)
				}
				return
			}
			if got.Password.Reveal() != tt.want {
				t.Fatalf("Reveal = %q, want %q", got.Password.Reveal(), tt.want)
			}
		})
	}
	var v secrets.Value
	if err := v.UnmarshalText([]byte("REDACTED")); err == nil {
		t.Fatalf("UnmarshalText(REDACTED) = %v, want an error", err)
	}
}
