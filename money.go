package frugal

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Money is an amount of US dollars in integer micro-dollars (1e-6 USD).
// Every amount frugal stores, compares or reports is a Money; no float is
// ever summed.
type Money int64

// Common amounts.
const (
	Microdollar Money = 1
	Cent        Money = 10_000
	Dollar      Money = 1_000_000
)

// USD returns m as a float for display only; never sum the result.
func (m Money) USD() float64 { return float64(m) / float64(Dollar) }

// String formats m as dollars with six decimals, e.g. "$0.001234".
func (m Money) String() string {
	sign := ""
	v := int64(m)
	if v < 0 {
		sign = "-"
		if v == math.MinInt64 {
			return "-$9223372036854.775808"
		}
		v = -v
	}
	return fmt.Sprintf("%s$%d.%06d", sign, v/1_000_000, v%1_000_000)
}

// ParseUSD parses a decimal dollar amount ("2", "0.50", "$1.25", "-$0.25")
// into Money exactly; it reads back what Money.String writes. More than six
// decimals, a sign other than a leading minus, or an amount beyond ±9e12
// dollars is an error.
func ParseUSD(s string) (Money, error) {
	t := strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(t, "-$"); ok {
		t = "-" + rest
	} else {
		t = strings.TrimPrefix(t, "$")
	}
	v, err := parseFixed6(t)
	if err != nil {
		return 0, fmt.Errorf("amount %q: %w", s, err)
	}
	return Money(v), nil
}

// Rate is a token price in micro-dollars per million tokens, which is the
// same number as pico-dollars per token. A published price of $0.14 per
// million tokens is Rate(140_000); $15 per million is Rate(15_000_000).
// Any price published with up to six decimals of a dollar is exact.
type Rate int64

// ParseRate parses a price in USD per million tokens ("0.14", "15", "0.028").
func ParseRate(s string) (Rate, error) {
	v, err := parseFixed6(strings.TrimPrefix(strings.TrimSpace(s), "$"))
	if err != nil {
		return 0, fmt.Errorf("price %q: %w", s, err)
	}
	return Rate(v), nil
}

// String formats r as USD per million tokens without trailing zeros, the
// way providers publish it ("0.14", "15", "0.028").
func (r Rate) String() string {
	// The magnitude as uint64 so that the most negative Rate formats too.
	v, sign := uint64(r), ""
	if r < 0 {
		v, sign = -v, "-"
	}
	s := fmt.Sprintf("%s%d.%06d", sign, v/1_000_000, v%1_000_000)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// maxFixed6 bounds parsed decimals so that tokens × rate never overflows in
// Cost for any realistic token count (see Price.Cost).
const maxFixed6 = 9_000_000_000_000_000_000

// parseFixed6 parses a plain decimal with at most six fractional digits into
// an integer scaled by 1e6.
func parseFixed6(s string) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty number")
	}
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, fmt.Errorf("not a decimal number")
	}
	if hasDot && frac == "" {
		return 0, fmt.Errorf("not a decimal number")
	}
	for _, part := range []string{whole, frac} {
		for _, c := range part {
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("not a decimal number")
			}
		}
	}
	if len(frac) > 6 {
		return 0, fmt.Errorf("more than 6 decimals")
	}
	var w uint64
	if whole != "" {
		var err error
		w, err = strconv.ParseUint(whole, 10, 64)
		if err != nil || w > maxFixed6/1_000_000 {
			return 0, fmt.Errorf("out of range")
		}
	}
	var f uint64
	if frac != "" {
		f, _ = strconv.ParseUint(frac+strings.Repeat("0", 6-len(frac)), 10, 64)
	}
	v := int64(w*1_000_000 + f)
	if neg {
		v = -v
	}
	return v, nil
}
