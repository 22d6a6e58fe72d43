package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal/config"
)

func TestParseSchedule(t *testing.T) {
	at := time.Date(2026, 12, 4, 10, 17, 0, 0, time.UTC)
	cases := []struct {
		spec  string
		every time.Duration
		next  time.Time // for cron specs, from `at`
		err   string
	}{
		{spec: "every 6h", every: 6 * time.Hour},
		{spec: "every 1m", every: time.Minute},
		{spec: "every 1d", every: 24 * time.Hour},
		{spec: "every 1d12h", every: 36 * time.Hour},
		{spec: "@every 90m", every: 90 * time.Minute},
		{spec: "CRON_TZ=UTC @hourly", next: time.Date(2026, 12, 4, 11, 0, 0, 0, time.UTC)},
		{spec: "CRON_TZ=UTC @daily", next: time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)},
		{spec: "CRON_TZ=UTC */15 * * * *", next: time.Date(2026, 12, 4, 10, 30, 0, 0, time.UTC)},
		{spec: "CRON_TZ=UTC 30 2 * * 1-5", next: time.Date(2026, 12, 7, 2, 30, 0, 0, time.UTC)}, // Dec 4 2026 is a Friday
		{spec: "0 */6 * * *"},
		{spec: "every 59s", err: "shorter than the minimum interval of 1m"},
		{spec: "every 0s", err: "shorter than the minimum interval"},
		{spec: "every -5m", err: "shorter than the minimum interval"},
		{spec: "every 5", err: "has no unit"},
		{spec: "every", err: "needs a duration"},
		{spec: "every x", err: "is not a duration"},
		{spec: "", err: "empty schedule"},
		{spec: "0 0 * *", err: "has 4 fields; a cron expression has 5"},
		{spec: "0 0 0 * * *", err: "has 6 fields"},
		{spec: "61 * * * *", err: "is not a schedule"},
		{spec: "@sometimes", err: "is not a schedule"},
		{spec: "TZ=UTC", err: "a time zone needs a schedule after it"},
		{spec: "CRON_TZ=Nowhere/Atlantis 0 * * * *", err: "is not a schedule"},
	}
	for _, c := range cases {
		s, err := config.ParseSchedule(c.spec)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.spec, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.spec, err)
			continue
		}
		if s.Every != c.every {
			t.Errorf("%q: every %v, want %v", c.spec, s.Every, c.every)
		}
		if c.every > 0 {
			if got := s.Next(at); !got.Equal(at.Add(c.every)) {
				t.Errorf("%q: next %v", c.spec, got)
			}
		}
		if !c.next.IsZero() {
			if got := s.Next(at); !got.Equal(c.next) {
				t.Errorf("%q: next %v, want %v", c.spec, got, c.next)
			}
		}
		if got := s.Next(at); !got.After(at) {
			t.Errorf("%q: next %v is not after %v", c.spec, got, at)
		}
	}
}

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"90s", 90 * time.Second, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"7d", 7 * 24 * time.Hour, ""},
		{"2d3h", 51 * time.Hour, ""},
		{" 5m ", 5 * time.Minute, ""},
		{"5", 0, "has no unit"},
		{"2.5", 0, "has no unit"},
		{"1d-5h", 0, "is not a duration"},
		{"d", 0, "is not a duration"},
		{"1w", 0, "is not a duration"},
		{"9999d2562047h", 0, "is not a duration"},
	}
	for _, c := range cases {
		got, err := config.ParseDuration(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %v, %v; want error %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}
