package verify_test

import (
	"context"
	"testing"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/verify"
)

// BenchmarkSchemaGate compiles the schema (with a $ref) and validates a
// file, as every jsonschema gate does.
func BenchmarkSchemaGate(b *testing.B) {
	ws, _ := fixture(b)
	g := frugal.Gate{JSONSchema: "schema.json", File: "good.json"}
	for b.Loop() {
		if r := verify.Check(context.Background(), ws, g, verify.Input{}); !r.Passed {
			b.Fatal(r.Feedback)
		}
	}
}

func BenchmarkRunGate(b *testing.B) {
	ws, _ := fixture(b)
	g := frugal.Gate{Run: "true"}
	for b.Loop() {
		if r := verify.Check(context.Background(), ws, g, verify.Input{}); !r.Passed {
			b.Fatal(r.Feedback)
		}
	}
}

func BenchmarkSnapshot(b *testing.B) {
	ws, _ := fixture(b)
	for b.Loop() {
		if _, err := verify.TakeSnapshot(ws, []string{".", "good.json"}); err != nil {
			b.Fatal(err)
		}
	}
}
