package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/ledgertest"
	"github.com/frugal-dev/frugal/sqlite"
)

const (
	envCLIArgs = "FRUGAL_BENCH_CLI_ARGS" // a child's command line, unit-separator (0x1f) separated
	envCLIHWM  = "FRUGAL_BENCH_CLI_HWM"  // where the child writes its peak RSS (VmHWM, KiB)
)

// TestCLIHelperProcess runs one command line as a child process so that a
// benchmark can read its peak memory; run directly, it skips.
func TestCLIHelperProcess(t *testing.T) {
	args := os.Getenv(envCLIArgs)
	if args == "" {
		t.Skip("helper process for BenchmarkSpendCLI1M")
	}
	code := run(context.Background(), strings.Split(args, "\x1f"), os.Stdin, io.Discard, os.Stderr)
	// The child reports its own high-water mark: the rusage a parent
	// gets also counts the memory the child shared with it before exec.
	status, err := os.ReadFile("/proc/self/status")
	if err == nil {
		for _, l := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
				err = os.WriteFile(os.Getenv(envCLIHWM), []byte(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB"))), 0o600)
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "peak RSS:", err)
	}
	os.Exit(code)
}

// BenchmarkSpendCLI1M runs `frugal spend --by agent,day` as a process over
// a ledger of one million calls (8 agents, 100 days) and reports its wall
// time (process start included) and peak resident memory. Whole days
// come from the daily rollup, a --since inside a day adds a scan of that
// day's calls, and --by run scans every call.
func BenchmarkSpendCLI1M(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a million-call ledger")
	}
	home := b.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(home, ledgerFile), sqlite.Options{Synchronous: "NORMAL"})
	if err != nil {
		b.Fatal(err)
	}
	end := time.Date(2025, time.March, 12, 0, 0, 0, 0, time.UTC)
	calls := make([]frugal.Call, 0, 20_000)
	for i := range 1_000_000 {
		calls = append(calls, ledgertest.SyntheticCall(i, end))
		if len(calls) == cap(calls) {
			if _, err := db.Record(context.Background(), calls); err != nil {
				b.Fatal(err)
			}
			calls = calls[:0]
		}
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, args string }{
		{"by=agent,day", "spend --by agent,day --json"},
		{"by=agent,day/since=mid-day", "spend --by agent,day --json --since 2025-01-15T12:00:00Z"},
		{"by=run/scan", "spend --by run --json"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var maxRSS int64
			hwm := filepath.Join(b.TempDir(), "hwm")
			for range b.N {
				cmd := exec.Command(os.Args[0], "-test.run=^TestCLIHelperProcess$")
				cmd.Env = append(os.Environ(), envCLIHWM+"="+hwm,
					envCLIArgs+"="+strings.Join(append([]string{"--home", home}, strings.Fields(bc.args)...), "\x1f"))
				cmd.Stderr = os.Stderr
				if err := cmd.Run(); err != nil {
					b.Fatal(err)
				}
				kib, err := os.ReadFile(hwm)
				if err != nil {
					b.Fatal(err)
				}
				n, err := strconv.ParseInt(string(kib), 10, 64)
				if err != nil {
					b.Fatal(err)
				}
				maxRSS = max(maxRSS, n)
			}
			b.ReportMetric(float64(maxRSS)/1024, "peak-RSS-MiB")
		})
	}
}
