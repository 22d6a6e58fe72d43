package ollama

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/wiretest"
)

func benchRequest() frugal.Request { return wiretest.BenchRequest("qwen2.5-coder:7b", 20) }

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
	c := New(Options{})
	req := benchRequest()
	wiretest.BenchBuildParse(b, wiretest.ReadFile(b, "response_chat.json"), func() (any, error) { return c.BuildRequest(req) }, func(cr *ChatResponse) (frugal.Response, error) { return ParseResponse(cr, len(req.Messages)) })
}

// BenchmarkStreamParse is the adapter's own work for a 100-line stream.
func BenchmarkStreamParse(b *testing.B) {
	wiretest.BenchStreamParse(b, streamBody(100), func(r io.Reader, fn func(frugal.Delta) error) (frugal.Response, error) {
		return readStream(r, 3, fn)
	})
}

func benchClient(url string) wiretest.Client { return New(Options{BaseURL: url}) }

// BenchmarkChat is one whole call over loopback HTTP.
func BenchmarkChat(b *testing.B) {
	wiretest.BenchCall(b, wiretest.ReadFile(b, "response_chat.json"), benchClient, benchRequest(), false)
}

// BenchmarkStream is one whole 100-line streaming call over loopback HTTP.
func BenchmarkStream(b *testing.B) {
	wiretest.BenchCall(b, streamBody(100), benchClient, benchRequest(), true)
}
