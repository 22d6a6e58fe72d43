package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/sqlite"
)

func newSpendCmd(a *app) *cobra.Command {
	var (
		by           []string
		since, until string
		agent, run   string
		asJSON       bool
		asCSV        bool
	)
	cmd := &cobra.Command{
		Use:   "spend",
		Short: "Report spend by agent, model, tier, provider or day",
		Long: `Report what the recorded calls cost, grouped by --by (any of agent, model,
tier, provider, day, run, step; default agent), with a total. A call counts
at the time its reservation was taken; days are UTC.

--since and --until take a date (YYYY-MM-DD), an RFC 3339 time
(2025-03-01T12:00:00Z) or a time ago (30m, 24h, 7d, 2w). --since is
inclusive; --until is exclusive, except that a date includes that whole day.

--json prints {"rows": [{<one key per --by>, "calls", "input_tokens",
"cache_read_tokens", "cache_write_tokens", "output_tokens", "cost_micro_usd",
...}], "total": {...}}; --csv prints the rows (no total) with a header.
Money is in micro-dollars (cost_micro_usd) with a decimal cost_usd beside it.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if asJSON && asCSV {
				return frugal.Errorf(frugal.EINVALID, "--json and --csv exclude each other")
			}
			f := frugal.SpendFilter{Agent: agent, Run: run}
			for _, k := range by {
				k = strings.ToLower(strings.TrimSpace(k))
				if !slices.Contains(sqlite.SpendKeys, k) {
					return frugal.Errorf(frugal.EINVALID, "--by %q: want any of %s", k, strings.Join(sqlite.SpendKeys, ","))
				}
				if slices.Contains(f.By, k) {
					return frugal.Errorf(frugal.EINVALID, "--by %q given twice", k)
				}
				f.By = append(f.By, k)
			}
			now := time.Now()
			var err error
			if f.Since, err = parseWhen("--since", since, now, false); err != nil {
				return err
			}
			if f.Until, err = parseWhen("--until", until, now, true); err != nil {
				return err
			}
			if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
				return frugal.Errorf(frugal.EINVALID, "--until %s is not after --since %s", until, since)
			}
			db, err := a.ledger(cmd.Context())
			if err != nil {
				return err
			}
			rows, total, err := db.Spend(cmd.Context(), f)
			if err != nil {
				return err
			}
			switch {
			case asJSON:
				return writeSpendJSON(a.stdout, f.By, rows, total)
			case asCSV:
				return writeSpendCSV(a.stdout, f.By, rows)
			}
			return writeSpendTable(a.stdout, f.By, rows, total)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&by, "by", []string{"agent"}, "group by these keys, comma-separated: "+strings.Join(sqlite.SpendKeys, ","))
	fl.StringVar(&since, "since", "", "only calls from this time on: YYYY-MM-DD, RFC 3339 or a time ago (7d, 24h)")
	fl.StringVar(&until, "until", "", "only calls before this time (a date includes its whole day)")
	fl.StringVar(&agent, "agent", "", "only this agent's calls")
	fl.StringVar(&run, "run", "", "only this run's calls")
	fl.BoolVar(&asJSON, "json", false, "print JSON (see DESIGN.md, machine-readable output)")
	fl.BoolVar(&asCSV, "csv", false, "print CSV with a header row")
	return cmd
}

// noArgs refuses positional arguments as bad input (exit 2).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return frugal.Errorf(frugal.EINVALID, "%s takes no arguments, got %q (see %s --help)", cmd.CommandPath(), args, cmd.CommandPath())
	}
	return nil
}

// parseWhen reads a --since or --until value: a UTC date, an RFC 3339
// time or a time ago ("90m", "24h", "7d", "2w"). A date given to --until
// (endOfDay) means the end of that day.
func parseWhen(flag, s string, now time.Time, endOfDay bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if endOfDay {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if n, unit := strings.TrimRight(s, "dw"), strings.TrimLeft(s, "0123456789"); (unit == "d" || unit == "w") && n != "" {
		v, err := strconv.Atoi(n)
		if err == nil && v <= 100_000 {
			days := v
			if unit == "w" {
				days *= 7
			}
			return now.AddDate(0, 0, -days), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, frugal.Errorf(frugal.EINVALID, "%s %q: want YYYY-MM-DD, an RFC 3339 time (2025-03-01T12:00:00Z) or a time ago (24h, 7d, 2w)", flag, s)
}

// spendCounters are the counters of one report row, in output order.
func spendCounters(r frugal.SpendRow) []struct {
	name string
	v    string
} {
	u := r.Usage
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	return []struct {
		name string
		v    string
	}{
		{"calls", i(r.Calls)},
		{"input_tokens", i(u.Input)},
		{"cache_read_tokens", i(u.CacheRead)},
		{"cache_write_tokens", i(u.CacheWrite())},
		{"cache_write_5m_tokens", i(u.CacheWrite5m)},
		{"cache_write_1h_tokens", i(u.CacheWrite1h)},
		{"output_tokens", i(u.Output)},
		{"reasoning_tokens", i(u.Reasoning)},
		{"cost_micro_usd", i(int64(r.Cost))},
		{"cost_usd", usdDecimal(r.Cost)},
	}
}

// usdDecimal spells m as an exact decimal number of dollars ("1.25",
// "0.000001", "0"), for JSON and CSV.
func usdDecimal(m frugal.Money) string {
	s := strings.TrimPrefix(m.String(), "$")
	s = strings.Replace(s, "$", "", 1) // negative amounts: "-$1.5" -> "-1.5"
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// writeSpendJSON writes the DESIGN.md shape with each row's keys first.
func writeSpendJSON(w io.Writer, by []string, rows []frugal.SpendRow, total frugal.SpendRow) error {
	var b bytes.Buffer
	object := func(keys []string, r frugal.SpendRow) {
		b.WriteByte('{')
		for i, k := range keys {
			kj, _ := json.Marshal(k)
			vj, _ := json.Marshal(r.Keys[i])
			fmt.Fprintf(&b, "%s: %s, ", kj, vj)
		}
		for i, c := range spendCounters(r) {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q: %s", c.name, c.v)
		}
		b.WriteByte('}')
	}
	b.WriteString("{\n  \"rows\": [")
	for i, r := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		object(by, r)
	}
	if len(rows) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("],\n  \"total\": ")
	object(nil, total)
	b.WriteString("\n}\n")
	_, err := w.Write(b.Bytes())
	return err
}

func writeSpendCSV(w io.Writer, by []string, rows []frugal.SpendRow) error {
	cw := csv.NewWriter(w)
	header := slices.Clone(by)
	for _, c := range spendCounters(frugal.SpendRow{}) {
		header = append(header, c.name)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		rec := slices.Clone(r.Keys)
		for _, c := range spendCounters(r) {
			rec = append(rec, c.v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeSpendTable writes an aligned table: keys left-aligned, numbers
// right-aligned with thousands separators, and a TOTAL line.
func writeSpendTable(w io.Writer, by []string, rows []frugal.SpendRow, total frugal.SpendRow) error {
	head := make([]string, 0, len(by)+6)
	for _, k := range by {
		head = append(head, strings.ToUpper(k))
	}
	head = append(head, "CALLS", "INPUT", "CACHE READ", "CACHE WRITE", "OUTPUT", "COST")
	line := func(keys []string, r frugal.SpendRow) []string {
		u := r.Usage
		return append(slices.Clone(keys), thousands(r.Calls), thousands(u.Input), thousands(u.CacheRead),
			thousands(u.CacheWrite()), thousands(u.Output), r.Cost.String())
	}
	table := [][]string{head}
	for _, r := range rows {
		table = append(table, line(r.Keys, r))
	}
	totalKeys := make([]string, len(by))
	if len(by) > 0 {
		totalKeys[0] = "TOTAL"
	}
	table = append(table, line(totalKeys, total))
	return writeTable(w, table, strings.Repeat("l", len(by))+"rrrrrr")
}

// writeTable aligns cells in columns two spaces apart: column i is
// right-aligned when align[i] is 'r', left-aligned otherwise.
func writeTable(w io.Writer, table [][]string, align string) error {
	widths := make([]int, len(table[0]))
	for _, row := range table {
		for i, c := range row {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	var b strings.Builder
	for _, row := range table {
		var l strings.Builder
		for i, c := range row {
			if i > 0 {
				l.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-len([]rune(c)))
			if i < len(align) && align[i] == 'r' {
				l.WriteString(pad + c)
			} else {
				l.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " ") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// thousands formats n with commas: 1234567 -> "1,234,567".
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
