package memory_test

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frugal-dev/frugal/memory"
)

// crashHome, when set, makes TestCrashChild the child of TestStateSurvivesKill.
const crashHome = "FRUGAL_MEMORY_CRASH_HOME"

// TestCrashChild is the process that gets killed: it records a decision,
// saves a state and reports the step done, forever. Each state carries a
// padding whose length depends on its seq, so a state mixed from two
// writes would not check out.
func TestCrashChild(t *testing.T) {
	home := os.Getenv(crashHome)
	if home == "" {
		t.Skip("runs only as the child of TestStateSurvivesKill")
	}
	s, err := memory.Open(home, "crash")
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	var st state
	if _, err := s.LoadState(&st); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	tr, err := s.Transcript("r1")
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	for seq := st.Seq + 1; ; seq++ {
		if err := s.AppendDecision(fmt.Sprintf("run r1 step %d: accepted", seq)); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		if err := tr.Append(entry{Kind: "step", N: seq, Text: strings.Repeat("t", seq%300)}); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		if err := s.SaveState(state{Run: "r1", Seq: seq, Pad: strings.Repeat("p", (seq*7919)%20000)}); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("done", seq) // unbuffered: the parent knows this step is durable
	}
}

// TestStateSurvivesKill SIGKILLs a process that saves states in a loop,
// several times at random moments, and checks that the state file always
// parses and holds the last step reported done (or the one after it,
// saved but not yet reported), that the decision log is whole, in order
// and complete up to that step, and that every transcript line is JSON.
// Each round resumes from the state the previous kill left.
func TestStateSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	home := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	lastDone := 0
	for round := range 6 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashHome+"="+home)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Let it complete a few steps, then kill it at a random moment.
		sc := bufio.NewScanner(out)
		want := 3 + rng.IntN(20)
		done := 0
		for done < want && sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 2 && f[0] == "done" {
				done++
				lastDone, _ = strconv.Atoi(f[1])
			} else if len(f) > 0 && f[0] == "error" {
				t.Fatalf("child: %s", sc.Text())
			}
		}
		time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		// Drain what it reported before dying.
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "done" {
				lastDone, _ = strconv.Atoi(f[1])
			}
		}
		_ = cmd.Wait()
		if done < want {
			t.Fatalf("round %d: child reported %d steps before dying", round, done)
		}

		s, err := memory.Open(home, "crash")
		if err != nil {
			t.Fatal(err)
		}
		var st state
		found, err := s.LoadState(&st)
		if err != nil || !found {
			t.Fatalf("round %d: LoadState after kill = %v, %v", round, found, err)
		}
		if st.Seq != lastDone && st.Seq != lastDone+1 {
			t.Errorf("round %d: state seq %d, last reported done %d", round, st.Seq, lastDone)
		}
		if st.Run != "r1" || len(st.Pad) != (st.Seq*7919)%20000 || strings.Trim(st.Pad, "p") != "" {
			t.Errorf("round %d: state %d is not one whole write (pad %d bytes)", round, st.Seq, len(st.Pad))
		}
		lines, err := s.Decisions(0)
		if err != nil {
			t.Fatal(err)
		}
		// A step logged but killed before its state was saved is done
		// again after resume, so a step may repeat once per kill.
		prev := 0
		for i, l := range lines {
			var ts string
			var step int
			if _, err := fmt.Sscanf(l, "- %s run r1 step %d: accepted", &ts, &step); err != nil || (step != prev+1 && step != prev) {
				t.Errorf("round %d: decision %d is %q after step %d", round, i+1, l, prev)
				break
			}
			prev = step
		}
		if prev < st.Seq || len(lines) > st.Seq+round+1 {
			t.Errorf("round %d: decisions reach step %d in %d lines for state %d", round, prev, len(lines), st.Seq)
		}
		entries := readEntries(t, filepath.Join(s.Dir(), "runs", "r1.jsonl"))
		if len(entries) < st.Seq {
			t.Errorf("round %d: %d transcript lines for state %d", round, len(entries), st.Seq)
		}
		s.Close()
		lastDone = st.Seq
	}
}
