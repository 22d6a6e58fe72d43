package frugal_test

import (
	"math"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal"
)

func TestParseUSD(t *testing.T) {
	tests := []struct {
		in      string
		want    frugal.Money
		wantErr string // substring of the error; "" for success
	}{
		{"2", 2 * frugal.Dollar, ""},
		{"0.50", 50 * frugal.Cent, ""},
		{"$1.25", 1_250_000, ""},
		{" $1.25 ", 1_250_000, ""},
		{"0.000001", frugal.Microdollar, ""},
		{"0.123456", 123_456, ""},
		{".5", 500_000, ""},
		{"007", 7 * frugal.Dollar, ""},
		{"0", 0, ""},
		{"-0", 0, ""},
		{"-2.5", -2_500_000, ""},
		{"-$2.5", -2_500_000, ""}, // the form Money.String writes
		{"$-2.5", -2_500_000, ""},
		{"9000000000000", 9_000_000_000_000 * frugal.Dollar, ""},
		{"9000000000000.999999", 9_000_000_000_000*frugal.Dollar + 999_999, ""},
		{"0.0000001", 0, "more than 6 decimals"},
		{"1.1234567", 0, "more than 6 decimals"},
		{"9000000000001", 0, "out of range"},
		{"99999999999999999999", 0, "out of range"},
		{"", 0, "empty number"},
		{"$", 0, "empty number"},
		{"-", 0, "not a decimal number"},
		{".", 0, "not a decimal number"},
		{"5.", 0, "not a decimal number"},
		{"+1", 0, "not a decimal number"},
		{"1e3", 0, "not a decimal number"},
		{"0x10", 0, "not a decimal number"},
		{"1,5", 0, "not a decimal number"},
		{"1_000", 0, "not a decimal number"},
		{"1.2.3", 0, "not a decimal number"},
		{"--1", 0, "not a decimal number"},
		{"-$-1", 0, "not a decimal number"},
		{"$$1", 0, "not a decimal number"},
		{"١", 0, "not a decimal number"}, // Arabic-Indic digit one
		{"abc", 0, "not a decimal number"},
		{"NaN", 0, "not a decimal number"},
	}
	for _, tt := range tests {
		got, err := frugal.ParseUSD(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseUSD(%q) = %d, %v; want error containing %q", tt.in, got, err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "amount") {
				t.Errorf("ParseUSD(%q) error %q does not say which amount", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseUSD(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in      string
		want    frugal.Rate
		wantErr string
	}{
		{"0.14", 140_000, ""},
		{"15", 15_000_000, ""},
		{"0.028", 28_000, ""},
		{"$3.75", 3_750_000, ""},
		{"0.0028", 2_800, ""},
		{"0.003625", 3_625, ""},
		{"0.000001", 1, ""},
		{"22.50", 22_500_000, ""},
		{"0", 0, ""},
		{"-1", -1_000_000, ""}, // negative is a valid number; the catalog rejects it
		{"0.0000001", 0, "more than 6 decimals"},
		{"0.1234567", 0, "more than 6 decimals"},
		{"1e-6", 0, "not a decimal number"},
		{"", 0, "empty number"},
		{"fifteen", 0, "not a decimal number"},
		{"15 ", 15_000_000, ""},
		{"1 5", 0, "not a decimal number"},
	}
	for _, tt := range tests {
		got, err := frugal.ParseRate(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseRate(%q) = %d, %v; want error containing %q", tt.in, got, err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "price") {
				t.Errorf("ParseRate(%q) error %q does not say which price", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseRate(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestRateString(t *testing.T) {
	tests := []struct {
		r    frugal.Rate
		want string
	}{
		{140_000, "0.14"},
		{15_000_000, "15"},
		{28_000, "0.028"},
		{3_750_000, "3.75"},
		{10_000_000, "10"},
		{2_800, "0.0028"},
		{1, "0.000001"},
		{0, "0"},
		{-1_500_000, "-1.5"},
		{-1, "-0.000001"},
		{math.MaxInt64, "9223372036854.775807"},
		{math.MinInt64, "-9223372036854.775808"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("Rate(%d).String() = %q; want %q", int64(tt.r), got, tt.want)
		}
	}
}

func TestMoneyString(t *testing.T) {
	tests := []struct {
		m    frugal.Money
		want string
	}{
		{0, "$0.000000"},
		{1, "$0.000001"},
		{1_234, "$0.001234"},
		{frugal.Cent, "$0.010000"},
		{frugal.Dollar, "$1.000000"},
		{12_345_678_901, "$12345.678901"},
		{-1, "-$0.000001"},
		{-2_500_000, "-$2.500000"},
		{math.MaxInt64, "$9223372036854.775807"},
		{math.MinInt64, "-$9223372036854.775808"},
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.want {
			t.Errorf("Money(%d).String() = %q; want %q", int64(tt.m), got, tt.want)
		}
	}
}

func TestMoneyStringRoundTrip(t *testing.T) {
	for _, m := range []frugal.Money{0, 1, -1, 999_999, 1_000_000, -123_456_789, 9_000_000_000_000 * frugal.Dollar, -9_000_000_000_000 * frugal.Dollar} {
		got, err := frugal.ParseUSD(m.String())
		if err != nil || got != m {
			t.Errorf("ParseUSD(%q) = %d, %v; want %d", m.String(), got, err, m)
		}
	}
}

func FuzzParseUSD(f *testing.F) {
	for _, s := range []string{"2", "0.50", "$1.25", "-$2.5", "$-2.5", "0.0000001", ".5", "5.", "", "-", "1e3", "9000000000000.999999", "9000000000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := frugal.ParseUSD(s)
		if err != nil {
			if !strings.Contains(err.Error(), "amount") {
				t.Fatalf("ParseUSD(%q) error %q does not name the amount", s, err)
			}
			return
		}
		back, err := frugal.ParseUSD(m.String())
		if err != nil || back != m {
			t.Fatalf("ParseUSD(%q) = %d; its String %q re-parses to %d, %v", s, m, m.String(), back, err)
		}
	})
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"0.14", "15", "0.028", "$3.75", "0.0000001", "-1", "", "1e-6", "00.100", "9000000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := frugal.ParseRate(s)
		if err != nil {
			if !strings.Contains(err.Error(), "price") {
				t.Fatalf("ParseRate(%q) error %q does not name the price", s, err)
			}
			return
		}
		back, err := frugal.ParseRate(r.String())
		if err != nil || back != r {
			t.Fatalf("ParseRate(%q) = %d; its String %q re-parses to %d, %v", s, r, r.String(), back, err)
		}
	})
}
