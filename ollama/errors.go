package ollama

import (
	"encoding/json"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/httpx"
)

// parseErrorBody reads Ollama's {"error": "text"}, the {"error": {…}}
// object some proxies put in front of it, or plain text.
func parseErrorBody(body []byte) string {
	var eb struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &eb) != nil || len(eb.Error) == 0 {
		return httpx.Snippet(body)
	}
	var msg string
	if json.Unmarshal(eb.Error, &msg) != nil {
		var d struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(eb.Error, &d)
		msg = d.Message
	}
	return httpx.Snippet([]byte(msg))
}

// lineError is an error line of a stream, or the error member of a whole
// answer: the server failed mid-call (a runner that died, say), and
// another attempt may succeed.
func lineError(msg string) *frugal.ProviderError {
	return &frugal.ProviderError{Message: httpx.Snippet([]byte(msg)), Retryable: true, Billed: true}
}
