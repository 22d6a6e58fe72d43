package conformance_test

import (
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/anthropic"
	"github.com/frugal-dev/frugal/conformance"
	"github.com/frugal-dev/frugal/ollama"
	"github.com/frugal-dev/frugal/openai"
)

func TestOpenAI(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Name: "openai", Model: "gpt-4.1-mini", Cache: conformance.CacheAuto, AutoTTL: 5 * time.Minute,
		New: func(url, key string, timeout time.Duration) conformance.Adapter {
			p, _ := openai.PresetByName("openai")
			o := p.Options(frugal.NewSecret(key))
			o.BaseURL, o.Timeout = url+"/v1", timeout
			return openai.New(o)
		},
	})
}

func TestDeepSeek(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Name: "openai", Model: "deepseek-chat", Cache: conformance.CacheAuto, AutoTTL: time.Hour, SchemaInPrompt: true,
		New: func(url, key string, timeout time.Duration) conformance.Adapter {
			p, _ := openai.PresetByName("deepseek")
			o := p.Options(frugal.NewSecret(key))
			o.BaseURL, o.Timeout = url+"/v1", timeout
			return openai.New(o)
		},
	})
}

func TestAnthropic(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Name: "anthropic", Model: "claude-sonnet-4-5", Cache: conformance.CacheExplicit, Bills1h: true,
		New: func(url, key string, timeout time.Duration) conformance.Adapter {
			return anthropic.New(anthropic.Options{BaseURL: url, APIKey: frugal.NewSecret(key), Timeout: timeout})
		},
	})
}

func TestOllama(t *testing.T) {
	conformance.Run(t, conformance.Target{
		Name: "ollama", Model: "qwen2.5-coder:7b", Cache: conformance.CacheNone,
		New: func(url, key string, timeout time.Duration) conformance.Adapter {
			return ollama.New(ollama.Options{BaseURL: url, APIKey: frugal.NewSecret(key), Timeout: timeout})
		},
	})
}
