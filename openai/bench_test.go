package openai

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
		Model:  "gpt-4.1",
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

// streamBody is an SSE answer of n text chunks, then finish and usage.
func streamBody(n int) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"token%d "},"logprobs":null,"finish_reason":null}],"usage":null}`+"\n\n", i)
	}
	b.WriteString(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}` + "\n\n")
	b.WriteString(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[],"usage":{"prompt_tokens":900,"completion_tokens":100,"total_tokens":1000,"prompt_tokens_details":{"cached_tokens":512}}}` + "\n\ndata: [DONE]\n\n")
	return b.Bytes()
}

// BenchmarkBuildParse is the adapter's own work for one non-streaming
// call: build and encode the request, decode and translate the answer.
func BenchmarkBuildParse(b *testing.B) {
	resp, err := os.ReadFile("testdata/response_chat.json")
	if err != nil {
		b.Fatal(err)
	}
	req := benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		w, err := BuildRequest(req, Quirks{})
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
		if _, err := ParseResponse(&cr); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreamParse is the adapter's own work for a 100-chunk stream.
func BenchmarkStreamParse(b *testing.B) {
	body := streamBody(100)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := readStream(bytes.NewReader(body), true, func(frugal.Delta) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

func benchClient(url string) wiretest.Client {
	return New(Options{BaseURL: url, APIKey: frugal.NewSecret("k")})
}

// BenchmarkChat is one whole call over loopback HTTP.
func BenchmarkChat(b *testing.B) {
	wiretest.BenchChat(b, wiretest.ReadFile(b, "response_chat.json"), benchClient, benchRequest())
}

// BenchmarkStream is one whole 100-chunk streaming call over loopback HTTP.
func BenchmarkStream(b *testing.B) {
	wiretest.BenchStream(b, streamBody(100), benchClient, benchRequest())
}
