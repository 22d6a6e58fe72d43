package openai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/httpx"
	"github.com/frugal-dev/frugal/internal/wire"
)

// ParseResponse translates a Chat Completions answer. A response without
// choices, or with usage that does not add up, gives what could be read
// and an error (a *frugal.ProviderError once the client has labelled it).
func ParseResponse(cr *ChatResponse) (frugal.Response, error) {
	out := frugal.Response{Model: cr.Model, Message: frugal.Message{Role: frugal.RoleAssistant}}
	var errs []string
	if cr.Usage != nil {
		// Usage that does not add up is not trusted: the answer stands, and
		// with UsageKnown false the caller charges the call its hold.
		if u, cost, err := normaliseUsage(cr.Usage); err == nil {
			out.Usage, out.UsageKnown, out.ProviderCost = u, true, cost
		}
	}
	if len(cr.Choices) == 0 {
		errs = append(errs, "response has no choices")
		return out, httpx.ProtocolError(strings.Join(errs, "; "))
	}
	ch := &cr.Choices[0]
	text, err := contentText(ch.Message.Content)
	if err != nil {
		errs = append(errs, err.Error())
	}
	if text == "" {
		if r, ok := ch.Message.Extra["refusal"]; ok {
			var refusal string
			if json.Unmarshal(r, &refusal) == nil && refusal != "" {
				text, ch.FinishReason = refusal, "refusal"
			}
		}
	}
	out.Message.Content = text
	for _, tc := range ch.Message.ToolCalls {
		out.Message.ToolCalls = append(out.Message.ToolCalls, frugal.ToolCall{
			ID: tc.ID, Name: tc.Function.Name, Arguments: arguments(tc.Function.Arguments),
		})
	}
	out.StopReason = stopReason(ch.FinishReason, len(out.Message.ToolCalls) > 0)
	if len(errs) > 0 {
		return out, httpx.ProtocolError(strings.Join(errs, "; "))
	}
	return out, nil
}

// detailError maps an error object found in a 2xx body or mid-stream.
// OpenRouter and vLLM give the upstream HTTP status as a numeric code,
// which then decides whether the error is retryable.
func detailError(d *ErrorDetail) *frugal.ProviderError {
	pe := &frugal.ProviderError{Type: d.Type, Message: httpx.Snippet([]byte(d.Message)), Billed: true}
	var code int
	if json.Unmarshal(d.Code, &code) == nil && code >= 400 && code <= 599 {
		pe.Status = code
		pe.Retryable = httpx.RetryableStatus(code)
	} else if pe.Type == "" {
		pe.Type = codeString(d.Code)
	}
	if pe.Message == "" {
		pe.Message = "error reported in the response body"
	}
	return pe
}

// contentText reads a message content: a string, null, or an array of
// parts whose text parts are joined.
func contentText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	switch raw[0] {
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case '[':
		var parts []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		}
		if err := json.Unmarshal(raw, &parts); err != nil {
			return "", err
		}
		var b strings.Builder
		for _, p := range parts {
			if p.Type == "text" {
				b.WriteString(p.Text)
			}
		}
		return b.String(), nil
	}
	return "", fmt.Errorf("message content is neither a string nor an array")
}

// arguments turns a tool call's arguments text into JSON. Models sometimes
// produce text that is not JSON: it is kept as a JSON string, so that the
// tool layer can reject it against the tool's schema and tell the model,
// instead of the whole (billed) call failing.
func arguments(s string) json.RawMessage {
	t := strings.TrimSpace(s)
	if t == "" {
		return json.RawMessage("{}")
	}
	if json.Valid([]byte(t)) {
		return json.RawMessage(t)
	}
	return wire.String(s)
}

// stopReason normalises finish_reason. Some servers say "stop" while
// returning tool calls; the tool calls win.
func stopReason(finish string, hasTools bool) string {
	switch finish {
	case "tool_calls", "function_call":
		return frugal.StopToolUse
	case "stop", "eos", "end_turn", "":
		if hasTools {
			return frugal.StopToolUse
		}
		if finish == "" {
			return ""
		}
		return frugal.StopEnd
	case "length", "max_tokens":
		return frugal.StopMaxTokens
	}
	return finish
}

// normaliseUsage converts usage to frugal's disjoint counts: DeepSeek's
// hit/miss counts when present, else OpenAI's cached_tokens, and
// OpenRouter's cache_write_tokens (priced as 5-minute writes, the default
// TTL of the providers that bill writes) and cost.
func normaliseUsage(u *Usage) (frugal.Usage, frugal.Money, error) {
	var reasoning int64
	if u.CompletionTokensDetails != nil {
		reasoning = u.CompletionTokensDetails.ReasoningTokens
	}
	var out frugal.Usage
	var err error
	if u.PromptCacheHitTokens != nil || u.PromptCacheMissTokens != nil {
		var hit, miss int64
		if u.PromptCacheHitTokens != nil {
			hit = *u.PromptCacheHitTokens
		}
		if u.PromptCacheMissTokens != nil {
			miss = *u.PromptCacheMissTokens
		} else {
			miss = u.PromptTokens - hit
		}
		out, err = frugal.UsageFromDeepSeek(hit, miss, u.CompletionTokens, reasoning)
	} else {
		var cached, written int64
		if d := u.PromptTokensDetails; d != nil {
			cached = d.CachedTokens
			if d.CacheWriteTokens != nil {
				written = *d.CacheWriteTokens
			}
		}
		out, err = frugal.UsageFromOpenAI(u.PromptTokens, cached, u.CompletionTokens, reasoning)
		if err == nil && written != 0 {
			if written < 0 || written > out.Input {
				err = fmt.Errorf("usage: cache_write_tokens (%d) exceeds uncached prompt tokens (%d)", written, out.Input)
			} else {
				out.Input -= written
				out.CacheWrite5m = written
			}
		}
	}
	if err != nil {
		return frugal.Usage{}, 0, err
	}
	var cost frugal.Money
	if u.Cost != "" {
		if cost, err = parseCost(string(u.Cost)); err != nil {
			return frugal.Usage{}, 0, err
		}
	}
	return out, cost, nil
}

var microsPerDollar = big.NewRat(1_000_000, 1)

// parseCost converts a decimal dollar amount such as "0.0000315" or
// "1.2e-05" to Money exactly, rounding a fraction of a micro-dollar up
// (frugal never records less than was charged).
func parseCost(s string) (frugal.Money, error) {
	// Only plain decimals with a small exponent: big.Rat would also take
	// fractions and hex, and an exponent of 1e9 would take it a while.
	if len(s) > 64 || strings.Trim(s, "0123456789.eE+-") != "" {
		return 0, fmt.Errorf("usage: cost %q is not a decimal number", s)
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		if e, err := strconv.Atoi(s[i+1:]); err != nil || e < -40 || e > 40 {
			return 0, fmt.Errorf("usage: cost %q is out of range", s)
		}
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("usage: cost %q is not a decimal number", s)
	}
	if r.Sign() < 0 {
		return 0, fmt.Errorf("usage: cost %q is negative", s)
	}
	r.Mul(r, microsPerDollar)
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if m.Sign() != 0 {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsInt64() || q.Int64() > math.MaxInt64/2 {
		return 0, fmt.Errorf("usage: cost %q is out of range", s)
	}
	return frugal.Money(q.Int64()), nil
}
