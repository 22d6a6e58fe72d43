package anthropic

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/wiretest"
)

func benchRequest() frugal.Request {
	r := wiretest.BenchRequest("claude-sonnet-4-5", 200)
	r.CacheTTL = 5 * time.Minute
	return r
}

// streamBody is an SSE answer of n text deltas.
func streamBody(n int) []byte {
	var b bytes.Buffer
	b.WriteString("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":1500,\"output_tokens\":1}}}\n\n")
	b.WriteString("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"token%d \"}}\n\n", i)
	}
	b.WriteString("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n")
	b.WriteString("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":100}}\n\n")
	b.WriteString("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
	return b.Bytes()
}

// BenchmarkBuildParse is the adapter's own work for one non-streaming
// call: build (with cache breakpoints) and encode the request, decode and
// translate the answer.
func BenchmarkBuildParse(b *testing.B) {
	c := New(Options{APIKey: frugal.NewSecret("k")})
	req := benchRequest()
	wiretest.BenchBuildParse(b, wiretest.ReadFile(b, "response_chat.json"), func() (any, error) { return c.BuildRequest(req) }, ParseResponse)
}

// BenchmarkStreamParse is the adapter's own work for a 100-delta stream.
func BenchmarkStreamParse(b *testing.B) {
	wiretest.BenchStreamParse(b, streamBody(100), func(r io.Reader, fn func(frugal.Delta) error) (frugal.Response, error) {
		return readStream(r, fn)
	})
}

func benchClient(url string) wiretest.Client {
	return New(Options{BaseURL: url, APIKey: frugal.NewSecret("k")})
}

// BenchmarkChat is one whole call over loopback HTTP.
func BenchmarkChat(b *testing.B) {
	wiretest.BenchCall(b, wiretest.ReadFile(b, "response_chat.json"), benchClient, benchRequest(), false)
}

// BenchmarkStream is one whole 100-delta streaming call over loopback HTTP.
func BenchmarkStream(b *testing.B) {
	wiretest.BenchCall(b, streamBody(100), benchClient, benchRequest(), true)
}
