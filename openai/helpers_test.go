package openai_test

import (
	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/wiretest"
	"github.com/frugal-dev/frugal/openai"
)

// The helpers shared by the adapters' tests (recording server, testdata,
// golden files, JSON equality) are in internal/wiretest.

func client(s *wiretest.Server, q openai.Quirks) *openai.Client {
	return openai.New(openai.Options{BaseURL: s.URL + "/v1", APIKey: frugal.NewSecret(testKey), Provider: "test", Quirks: q})
}

const testKey = "sk-test-0123456789abcdefghij"

func ptr[T any](v T) *T { return &v }
