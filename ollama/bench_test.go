package ollama

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/wiretest"
)

func benchRequest() frugal.Request {
	return frugal.Request{
		Model:  "qwen2.5-coder:7b",
		System: strings.Repeat("You are a careful coding agent. ", 20),
		Messages: []frugal.Message{
			{Role: frugal.RoleUser, Content: "Fix the failing test in pkg/foo."},
			{Role: frugal.RoleAssistant, ToolCalls: []frugal.ToolCall{{ID: "c1", Name: "run", Arguments: json.RawMessage(`{"cmd":"go test ./pkg/foo"}`)}}},
			{Role: frugal.RoleTool, ToolCallID: "c1", Content: strings.Repeat("--- FAIL: TestFoo\n", 10)},
		},
		Tools:     []frugal.Tool{{Name: "run", Description: "Run a command.", Parameters: json.RawMessage(`{"type":"object","properties":{"cmd":{"type":"string"}},"required":["cmd"]}`)}},
		MaxOutput: 1024,
	}
}

// streamBody is an NDJSON answer of n text lines and the final line.
func streamBody(n int) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `{"model":"qwen2.5-coder:7b","created_at":"2025-05-27T22:54:57.641643Z","message":{"role":"assistant","content":"token%d "},"done":false}`+"\n", i)
	}
	b.WriteString(`{"model":"qwen2.5-coder:7b","created_at":"2025-05-27T22:54:58.419091Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"total_duration":2361305666,"load_duration":24125500,"prompt_eval_count":900,"prompt_eval_duration":101534791,"eval_count":100,"eval_duration":2231882917}` + "\n")
	return b.Bytes()
}

// BenchmarkBuildParse is the adapter's own work for one non-streaming
// call: build and encode the request, decode and translate the answer.
func BenchmarkBuildParse(b *testing.B) {
	resp, err := os.ReadFile("testdata/response_chat.json")
	if err != nil {
		b.Fatal(err)
	}
	c := New(Options{})
	req := benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		w, err := c.BuildRequest(req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(w); err != nil {
			b.Fatal(err)
		}
		var cr ChatResponse
		if err := json.Unmarshal(resp, &cr); err != nil {
			b.Fatal(err)
		}
		if _, err := ParseResponse(&cr, len(req.Messages)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreamParse is the adapter's own work for a 100-line stream.
func BenchmarkStreamParse(b *testing.B) {
	body := streamBody(100)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := readStream(bytes.NewReader(body), 3, func(frugal.Delta) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

func benchClient(url string) wiretest.Client { return New(Options{BaseURL: url}) }

// BenchmarkChat is one whole call over loopback HTTP.
func BenchmarkChat(b *testing.B) {
	wiretest.BenchChat(b, wiretest.ReadFile(b, "response_chat.json"), benchClient, benchRequest())
}

// BenchmarkStream is one whole 100-line streaming call over loopback HTTP.
func BenchmarkStream(b *testing.B) {
	wiretest.BenchStream(b, streamBody(100), benchClient, benchRequest())
}
