package anthropic_test

import (
	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/anthropic"
	"github.com/frugal-dev/frugal/internal/wiretest"
)

// The helpers shared by the adapters' tests (recording server, testdata,
// golden files, JSON equality) are in internal/wiretest.

func client(s *wiretest.Server, mut ...func(*anthropic.Options)) *anthropic.Client {
	o := anthropic.Options{BaseURL: s.URL, APIKey: frugal.NewSecret(testKey), Provider: "test"}
	for _, m := range mut {
		m(&o)
	}
	return anthropic.New(o)
}

const testKey = "sk-test-0123456789abcdefghij"

func ptr[T any](v T) *T { return &v }
