package frugal

import (
	"fmt"
	"io"
	"log/slog"
)

// redacted is what every printing, logging and marshalling path shows
// instead of a secret.
const redacted = "[REDACTED]"

// Secret is a credential such as a provider API key. Every way of printing
// it (String, GoString, Format with any verb, slog's LogValue, JSON and text
// marshalling) shows "[REDACTED]"; only Reveal returns the value, and only
// the code that puts it on the wire should call it. The value sits behind a
// pointer so that even reflection-based printing of a struct holding a
// Secret in an unexported field shows an address, never the key.
type Secret struct{ v *string }

// NewSecret wraps s; an empty s gives the zero Secret.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	return Secret{v: &s}
}

// Reveal returns the secret value; "" for the zero Secret.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsZero reports whether s holds no value.
func (s Secret) IsZero() bool { return s.v == nil || *s.v == "" }

// String returns "[REDACTED]", or "" for the zero Secret so that a missing
// key is visible as missing.
func (s Secret) String() string {
	if s.IsZero() {
		return ""
	}
	return redacted
}

// GoString redacts %#v.
func (s Secret) GoString() string { return "frugal.Secret(" + redacted + ")" }

// Format redacts every fmt verb (%s, %v, %q, %x, %d, …).
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, s.GoString())
		return
	}
	_, _ = io.WriteString(f, s.String())
}

// LogValue redacts the secret in slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText redacts the secret in JSON, YAML and any text encoding, so
// that it can never reach a database or an API response by accident.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a secret from configuration.
func (s *Secret) UnmarshalText(b []byte) error {
	*s = NewSecret(string(b))
	return nil
}
