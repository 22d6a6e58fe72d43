package frugal_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal"
)

func TestSecretNeverPrints(t *testing.T) {
	const key = "sk-live-0123456789abcdef"
	s := frugal.NewSecret(key)
	type holder struct {
		Key    frugal.Secret
		hidden frugal.Secret
	}
	h := holder{Key: s, hidden: s}
	outs := []string{
		s.String(), fmt.Sprint(s), fmt.Sprintf("%s %v %q %x %X %d %+v %#v", s, s, s, s, s, s, s, s),
		fmt.Sprintf("%v %+v %#v", h, h, h), fmt.Sprintf("%v", &h),
	}
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, string(b))
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "key", s, "h", h)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "key", s, "h", h)
	outs = append(outs, buf.String())
	for _, o := range outs {
		if strings.Contains(o, key) || strings.Contains(o, "sk-live") {
			t.Errorf("secret leaked: %s", o)
		}
	}
	if s.Reveal() != key {
		t.Errorf("Reveal = %q", s.Reveal())
	}
	if !strings.Contains(fmt.Sprint(s), "[REDACTED]") {
		t.Errorf("Sprint = %q, want redaction marker", fmt.Sprint(s))
	}
	var zero frugal.Secret
	if !zero.IsZero() || zero.String() != "" || zero.Reveal() != "" {
		t.Errorf("zero secret: %q %q", zero.String(), zero.Reveal())
	}
	var back struct{ Key frugal.Secret }
	if err := json.Unmarshal([]byte(`{"Key":"abc"}`), &back); err != nil || back.Key.Reveal() != "abc" {
		t.Errorf("unmarshal: %v %q", err, back.Key.Reveal())
	}
}
