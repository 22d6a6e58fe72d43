package sim_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/sim"
)

// fuzzEndpoint feeds arbitrary bodies to one endpoint of a Handler: it must
// never panic, and must answer 200 or a 4xx in the provider's error shape.
func fuzzEndpoint(f *testing.F, path string, hdr map[string]string, seeds []map[string]any, checkErr func([]byte) bool) {
	for _, s := range seeds {
		js, _ := json.Marshal(s)
		f.Add(js)
	}
	f.Add([]byte(`{`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]}`))
	h := sim.NewHandler(sim.Options{})
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch {
		case rec.Code == http.StatusOK:
		case rec.Code >= 400 && rec.Code < 500:
			if !checkErr(rec.Body.Bytes()) {
				t.Fatalf("status %d with a body not in the provider's error shape: %s", rec.Code, rec.Body.Bytes())
			}
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.Bytes())
		}
	})
}

func fuzzSeeds(convert func(frugal.Request) map[string]any) []map[string]any {
	var out []map[string]any
	base := frugal.Request{Model: "m", System: "s", Tools: []frugal.Tool{readFileTool},
		Messages: []frugal.Message{{Role: frugal.RoleUser, Content: "hi"}}}
	out = append(out, convert(base))
	round := base
	round.Messages = append(round.Messages,
		frugal.Message{Role: frugal.RoleAssistant, ToolCalls: []frugal.ToolCall{{ID: "c1", Name: "read_file", Arguments: json.RawMessage(`{"path":"x"}`)}}},
		frugal.Message{Role: frugal.RoleTool, ToolCallID: "c1", Content: "data"})
	out = append(out, convert(round))
	schema := base
	schema.Schema, schema.SchemaName = json.RawMessage(verdictSchema), "v"
	out = append(out, convert(schema))
	streamed := convert(base)
	streamed["stream"] = true
	return append(out, streamed)
}

func FuzzOpenAIRequest(f *testing.F) {
	fuzzEndpoint(f, "/v1/chat/completions", nil, fuzzSeeds(toOpenAI), func(b []byte) bool {
		var e oaErr
		return json.Unmarshal(b, &e) == nil && e.Error.Message != "" && e.Error.Type != ""
	})
}

func FuzzAnthropicRequest(f *testing.F) {
	fuzzEndpoint(f, "/v1/messages", anthropicHeaders, fuzzSeeds(toAnthropic), func(b []byte) bool {
		var e anErr
		return json.Unmarshal(b, &e) == nil && e.Type == "error" && e.Error.Type != "" && e.Error.Message != ""
	})
}

func FuzzOllamaRequest(f *testing.F) {
	fuzzEndpoint(f, "/api/chat", nil, fuzzSeeds(toOllama), func(b []byte) bool {
		var e struct {
			Error string `json:"error"`
		}
		return json.Unmarshal(b, &e) == nil && e.Error != ""
	})
}
