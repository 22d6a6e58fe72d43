package openai

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/wiretest"
)

func benchRequest() frugal.Request { return wiretest.BenchRequest("gpt-4.1", 20) }

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
	req := benchRequest()
	wiretest.BenchBuildParse(b, wiretest.ReadFile(b, "response_chat.json"), func() (any, error) { return BuildRequest(req, Quirks{}) }, ParseResponse)
}

// BenchmarkStreamParse is the adapter's own work for a 100-chunk stream.
func BenchmarkStreamParse(b *testing.B) {
	wiretest.BenchStreamParse(b, streamBody(100), func(r io.Reader, fn func(frugal.Delta) error) (frugal.Response, error) {
		return readStream(r, true, fn)
	})
}

func benchClient(url string) wiretest.Client {
	return New(Options{BaseURL: url, APIKey: frugal.NewSecret("k")})
}

// BenchmarkChat is one whole call over loopback HTTP.
func BenchmarkChat(b *testing.B) {
	wiretest.BenchCall(b, wiretest.ReadFile(b, "response_chat.json"), benchClient, benchRequest(), false)
}

// BenchmarkStream is one whole 100-chunk streaming call over loopback HTTP.
func BenchmarkStream(b *testing.B) {
	wiretest.BenchCall(b, streamBody(100), benchClient, benchRequest(), true)
}
