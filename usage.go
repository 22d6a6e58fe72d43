package frugal

import "fmt"

// Usage counts the tokens of one call (or of many, summed), split by how
// each kind is priced. The four input kinds are disjoint: their sum is what
// the model read.
type Usage struct {
	Input        int64 `json:"input"`          // uncached input tokens
	CacheRead    int64 `json:"cache_read"`     // input tokens read from the prompt cache
	CacheWrite5m int64 `json:"cache_write_5m"` // input tokens written to a 5-minute cache
	CacheWrite1h int64 `json:"cache_write_1h"` // input tokens written to a 1-hour cache
	Output       int64 `json:"output"`         // output tokens, reasoning included
	Reasoning    int64 `json:"reasoning"`      // the part of Output spent reasoning (reporting only)
}

// Add returns the field-wise sum of u and v.
func (u Usage) Add(v Usage) Usage {
	return Usage{
		Input:        u.Input + v.Input,
		CacheRead:    u.CacheRead + v.CacheRead,
		CacheWrite5m: u.CacheWrite5m + v.CacheWrite5m,
		CacheWrite1h: u.CacheWrite1h + v.CacheWrite1h,
		Output:       u.Output + v.Output,
		Reasoning:    u.Reasoning + v.Reasoning,
	}
}

// InputTotal is every input token the model read, cached or not.
func (u Usage) InputTotal() int64 {
	return u.Input + u.CacheRead + u.CacheWrite5m + u.CacheWrite1h
}

// CacheWrite is the tokens written to a prompt cache, both TTLs.
func (u Usage) CacheWrite() int64 { return u.CacheWrite5m + u.CacheWrite1h }

// Validate reports a negative count, or reasoning larger than output, as
// an EINVALID error.
func (u Usage) Validate() error {
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"input", u.Input}, {"cache_read", u.CacheRead}, {"cache_write_5m", u.CacheWrite5m},
		{"cache_write_1h", u.CacheWrite1h}, {"output", u.Output}, {"reasoning", u.Reasoning},
	} {
		if f.v < 0 {
			return Errorf(EINVALID, "usage: %s is negative (%d)", f.name, f.v)
		}
	}
	if u.Reasoning > u.Output {
		return Errorf(EINVALID, "usage: reasoning (%d) exceeds output (%d)", u.Reasoning, u.Output)
	}
	return nil
}

// UsageFromOpenAI normalises an OpenAI Chat Completions usage object, in
// which prompt_tokens includes the cached tokens
// (prompt_tokens_details.cached_tokens) and completion_tokens includes the
// reasoning tokens. OpenAI does not bill cache writes apart.
func UsageFromOpenAI(promptTokens, cachedTokens, completionTokens, reasoningTokens int64) (Usage, error) {
	if cachedTokens > promptTokens {
		return Usage{}, Errorf(EINVALID, "usage: cached_tokens (%d) exceeds prompt_tokens (%d)", cachedTokens, promptTokens)
	}
	u := Usage{
		Input:     promptTokens - cachedTokens,
		CacheRead: cachedTokens,
		Output:    completionTokens,
		Reasoning: reasoningTokens,
	}
	return u, u.Validate()
}

// UsageFromAnthropic normalises an Anthropic Messages usage object, whose
// input_tokens, cache_read_input_tokens and cache_creation_input_tokens are
// disjoint. write5m and write1h come from usage.cache_creation
// (ephemeral_5m_input_tokens, ephemeral_1h_input_tokens); when that split is
// absent (both zero) the whole creation count is priced as 5-minute writes,
// the API's default TTL.
func UsageFromAnthropic(input, cacheRead, cacheCreation, write5m, write1h, output int64) (Usage, error) {
	if write5m == 0 && write1h == 0 {
		write5m = cacheCreation
	} else if write5m+write1h != cacheCreation && cacheCreation != 0 {
		return Usage{}, Errorf(EINVALID, "usage: cache_creation split %d+%d does not add up to cache_creation_input_tokens %d", write5m, write1h, cacheCreation)
	}
	u := Usage{Input: input, CacheRead: cacheRead, CacheWrite5m: write5m, CacheWrite1h: write1h, Output: output}
	return u, u.Validate()
}

// UsageFromDeepSeek normalises DeepSeek's usage, which reports
// prompt_cache_hit_tokens and prompt_cache_miss_tokens (their sum is
// prompt_tokens); cache writes are not billed apart.
func UsageFromDeepSeek(hitTokens, missTokens, completionTokens, reasoningTokens int64) (Usage, error) {
	u := Usage{Input: missTokens, CacheRead: hitTokens, Output: completionTokens, Reasoning: reasoningTokens}
	return u, u.Validate()
}

// UsageFromOllama normalises Ollama's native counters: prompt_eval_count
// (input; Ollama reuses its KV cache silently and does not report it) and
// eval_count (output).
func UsageFromOllama(promptEvalCount, evalCount int64) (Usage, error) {
	u := Usage{Input: promptEvalCount, Output: evalCount}
	return u, u.Validate()
}

// String is a compact human summary: "in 1200 (+800 cached, 0 written) out 300".
func (u Usage) String() string {
	return fmt.Sprintf("in %d (+%d cached, %d written) out %d", u.Input, u.CacheRead, u.CacheWrite(), u.Output)
}
