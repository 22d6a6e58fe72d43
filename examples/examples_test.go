package examples_test

import (
	"path/filepath"
	"testing"

	"github.com/frugal-dev/frugal/config"
	"github.com/frugal-dev/frugal/examples"
	"github.com/frugal-dev/frugal/sim"
)

// Every shipped agent file is valid once copied, and the cassette parses.
func TestExamplesAreValid(t *testing.T) {
	dir := t.TempDir()
	if err := examples.CopyTo(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range examples.Names {
		a, err := config.LoadAgent(filepath.Join(dir, name, "agent.yaml"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if a.Name != name {
			t.Errorf("%s: agent named %q", name, a.Name)
		}
		for tier, models := range a.Brains {
			for _, m := range models {
				if p, _, _ := m.Split(); p != "sim" {
					t.Errorf("%s: tier %s uses %s: the shipped examples must run offline", name, tier, m)
				}
			}
		}
	}
	raw, err := examples.Cassette()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.ParseCassette(examples.CassetteFile, raw); err != nil {
		t.Fatal(err)
	}
}
