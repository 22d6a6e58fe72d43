package wire

import (
	"encoding/json"

	"github.com/frugal-dev/frugal"
)

// ToolErrorPrefix marks the text of a failed tool result for the APIs
// without an is_error flag (Chat Completions, Ollama): the model must know
// the tool failed. The tokenizer's ToolErrorMarker allowance counts it.
const ToolErrorPrefix = "ERROR: "

// EmptyParameters is the JSON Schema sent for a tool declared without
// one: servers reject a function without parameters. Never modify it.
var EmptyParameters = json.RawMessage(`{"type":"object","properties":{}}`)

// CheckRequest returns an EINVALID error for a request no adapter can
// send: one without a model, or with MaxOutput ≤ 0 tokens.
func CheckRequest(req frugal.Request) error {
	if req.Model == "" {
		return frugal.Errorf(frugal.EINVALID, "request: no model")
	}
	if req.MaxOutput <= 0 {
		return frugal.Errorf(frugal.EINVALID, "request: max output must be > 0 tokens, got %d", req.MaxOutput)
	}
	return nil
}

// CheckSchema returns an EINVALID error when schema, a request's JSON
// Schema for the answer, is not JSON.
func CheckSchema(schema json.RawMessage) error {
	if !json.Valid(schema) {
		return frugal.Errorf(frugal.EINVALID, "request: schema is not valid JSON")
	}
	return nil
}

// ToolParameters returns the JSON Schema of t's arguments as sent:
// EmptyParameters when t declares none, an EINVALID error when it is not
// JSON.
func ToolParameters(t frugal.Tool) (json.RawMessage, error) {
	if len(t.Parameters) == 0 {
		return EmptyParameters, nil
	}
	if !json.Valid(t.Parameters) {
		return nil, frugal.Errorf(frugal.EINVALID, "request: tool %q: parameters are not valid JSON", t.Name)
	}
	return t.Parameters, nil
}

// ToolResultText is the text of the tool result m for an API without an
// is_error flag: its content, after ToolErrorPrefix when the tool failed.
func ToolResultText(m frugal.Message) string {
	if m.IsError {
		return ToolErrorPrefix + m.Content
	}
	return m.Content
}
