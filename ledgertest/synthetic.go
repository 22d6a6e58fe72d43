package ledgertest

import (
	"fmt"
	"strings"
	"time"

	"github.com/frugal-dev/frugal"
)

var (
	syntheticModels = []string{"deepseek/deepseek-chat", "anthropic/claude-sonnet-4-5", "openai/gpt-5-mini", "ollama/qwen2.5-coder:7b"}
	syntheticTiers  = []string{"planner", "worker", "judge"}
)

// SyntheticCall returns the i-th call of a deterministic history for
// benchmarks and import tests: one call a minute going back from end (so
// 100 days hold 144,000 calls), over 8 agents, 4 models, 3 tiers and runs
// of 40 calls, costing 1 to 9,000 micro-dollars. Its HoldID is unique.
func SyntheticCall(i int, end time.Time) frugal.Call {
	m := syntheticModels[i%len(syntheticModels)]
	provider, _, _ := strings.Cut(m, "/")
	return frugal.Call{
		HoldID: fmt.Sprintf("synthetic-%d", i),
		Time:   end.Add(-time.Duration(i%(100*24*60)) * time.Minute),
		Attribution: frugal.Attribution{Agent: fmt.Sprintf("agent-%d", i%8), Run: fmt.Sprintf("run-%d", i/40),
			Step: "work", Tier: syntheticTiers[i%len(syntheticTiers)]},
		Provider: provider, Model: m, Worst: 20_000,
		Settlement: frugal.Settlement{
			Usage: frugal.Usage{Input: 1000 + int64(i%500), CacheRead: 4000, Output: 300},
			Cost:  frugal.Money(1 + i%9000),
		},
	}
}
