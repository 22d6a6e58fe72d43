package sqlite_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/ledgertest"
	"github.com/frugal-dev/frugal/sqlite"
)

// The multi-process tests re-execute this test binary as children; the
// environment tells a child its role.
const (
	envRole = "FRUGAL_LEDGER_HELPER"
	envDB   = "FRUGAL_LEDGER_DB"
	envProc = "FRUGAL_LEDGER_PROC"
)

// Multi-process torture: 3 processes × 16 goroutines × 300 cycles.
var multiProc = ledgertest.Torture{Procs: 3, Workers: 16, Cycles: 300, Seed: 7}

// TestHelperProcess is a child process's body; run directly, it skips.
func TestHelperProcess(t *testing.T) {
	role := os.Getenv(envRole)
	if role == "" {
		t.Skip("helper process for the multi-process tests")
	}
	var err error
	switch role {
	case "torture":
		err = tortureChild()
	case "crash":
		err = crashChild()
	default:
		err = fmt.Errorf("unknown role %q", role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func helperCmd(t *testing.T, role, path string, proc int) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envRole+"="+role, envDB+"="+path, envProc+"="+strconv.Itoa(proc))
	cmd.Stderr = os.Stderr
	return cmd
}

func tortureChild() error {
	proc, err := strconv.Atoi(os.Getenv(envProc))
	if err != nil {
		return err
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, os.Getenv(envDB), sqlite.Options{Now: func() time.Time { return ledgertest.Base }})
	if err != nil {
		return err
	}
	cfg := multiProc
	cfg.Proc = proc
	tally, err := cfg.Run(ctx, db)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(tally)
}

// TestTortureProcesses runs the cap torture in 3 OS processes sharing one
// database file: SQLite's lock must keep every cap exact across them.
func TestTortureProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frugal.db")
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{Now: func() time.Time { return ledgertest.Base }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ledgertest.SetCaps(t, db, multiProc.Caps())

	tallies := make([]ledgertest.Tally, multiProc.Procs)
	var wg sync.WaitGroup
	for p := range multiProc.Procs {
		cmd := helperCmd(t, "torture", path, p)
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := cmd.Output()
			if err != nil {
				t.Errorf("process %d: %v", p, err)
				return
			}
			if err := json.Unmarshal(out, &tallies[p]); err != nil {
				t.Errorf("process %d printed %q: %v", p, out, err)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	sum := ledgertest.Tally{}
	for p, tl := range tallies {
		if tl.Calls == 0 {
			t.Errorf("process %d settled no call", p)
		}
		sum = sum.Add(tl)
	}
	ledgertest.CheckTorture(t, db, multiProc, sum)
}

// crashChild settles calls from 8 goroutines until it is killed, printing
// each call's idempotency key once Settle has returned.
func crashChild() error {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, os.Getenv(envDB), sqlite.Options{})
	if err != nil {
		return err
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	prefix := strconv.Itoa(os.Getpid())
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			for i := 0; ; i++ {
				h, err := db.Reserve(ctx, frugal.ReserveRequest{
					Attribution: frugal.Attribution{Agent: fmt.Sprintf("agent-%d", g%3), Run: prefix + "-" + strconv.Itoa(g), Step: "s", Tier: "worker"},
					Provider:    "sim", Model: "sim/small", Worst: 5000,
				})
				if err != nil {
					errs <- err
					return
				}
				key := fmt.Sprintf("%s-%d-%d", prefix, g, i)
				_, err = db.Settle(ctx, h, frugal.Settlement{Usage: frugal.Usage{Input: 100, Output: int64(i % 50)},
					Cost: frugal.Money(1 + (i*37+g)%5000), IdempotencyKey: key})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				out.WriteString(key + "\n")
				err = out.Flush() // one write: the key is out before the next call starts
				mu.Unlock()
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	return <-errs
}

// TestCrash kills a process that settles calls in a loop with SIGKILL at a
// random moment, three times over one file: every call whose Settle had
// returned must be there after reopening, the counters must match the
// rows, and the holds the dead process left expire after their lease.
func TestCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frugal.db")
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ledgertest.SetCaps(t, db, []frugal.Budget{{Scope: frugal.ScopeGlobal, Window: frugal.WindowTotal, Limit: 1_000_000 * frugal.Dollar}})
	db.Close()

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	printed := map[string]bool{}
	for round := range 3 {
		cmd := helperCmd(t, "crash", path, round)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill after a random number of printed calls, so that the kill
		// lands anywhere in a Reserve, a Settle or a commit.
		killAfter := 50 + rng.IntN(400)
		r := bufio.NewReader(stdout)
		n := 0
		killed := false
		for {
			line, err := r.ReadString('\n')
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			printed[strings.TrimSuffix(line, "\n")] = true
			n++
			if n == killAfter && !killed {
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				killed = true
			}
		}
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: child ended with %v before it was killed", round, err)
		}
		t.Logf("round %d: killed after %d printed calls (%d read)", round, killAfter, n)
	}

	clock := ledgertest.NewClock(time.Now())
	db, err = sqlite.Open(context.Background(), path, sqlite.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stored := map[string]bool{}
	var before int64
	for {
		calls, err := db.Calls(context.Background(), sqlite.CallFilter{BeforeID: before, Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		if len(calls) == 0 {
			break
		}
		for _, c := range calls {
			stored[c.IdempotencyKey] = true
			before = c.ID
		}
	}
	missing := 0
	for k := range printed {
		if !stored[k] {
			missing++
			if missing <= 5 {
				t.Errorf("call %s was settled (Settle returned) but is not in the ledger", k)
			}
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d settled calls lost", missing, len(printed))
	}
	if err := db.Reconcile(context.Background()); err != nil {
		t.Fatal(err)
	}
	caps, err := db.Caps(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("right after the kills, %s is held by the dead processes", caps[0].Reserved)
	clock.Advance(sqlite.DefaultLease + time.Second)
	caps, err = db.Caps(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != 1 || caps[0].Reserved != 0 {
		t.Fatalf("after the lease the dead processes' holds should be gone: %+v", caps)
	}
	t.Logf("%d calls printed, %d stored (settled but killed before printing: %d)", len(printed), len(stored), len(stored)-len(printed))
}
