package ollama_test

import (
	"github.com/frugal-dev/frugal/internal/wiretest"
	"github.com/frugal-dev/frugal/ollama"
)

// The helpers shared by the adapters' tests (recording server, testdata,
// golden files, JSON equality) are in internal/wiretest.

func client(s *wiretest.Server, mut ...func(*ollama.Options)) *ollama.Client {
	o := ollama.Options{BaseURL: s.URL, Provider: "test"}
	for _, m := range mut {
		m(&o)
	}
	return ollama.New(o)
}

const testKey = "sk-test-0123456789abcdefghij"

func ptr[T any](v T) *T { return &v }
