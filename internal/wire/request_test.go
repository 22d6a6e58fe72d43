package wire_test

import (
	"encoding/json"
	"testing"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/internal/wire"
)

func TestCheckRequest(t *testing.T) {
	for _, tc := range []struct {
		req  frugal.Request
		want string // the error; "" for none
	}{
		{frugal.Request{Model: "m", MaxOutput: 1}, ""},
		{frugal.Request{MaxOutput: 1}, "request: no model"},
		{frugal.Request{Model: "m"}, "request: max output must be > 0 tokens, got 0"},
		{frugal.Request{Model: "m", MaxOutput: -5}, "request: max output must be > 0 tokens, got -5"},
		{frugal.Request{}, "request: no model"},
	} {
		err := wire.CheckRequest(tc.req)
		if got := errString(err); got != tc.want || (err != nil && frugal.ErrorCode(err) != frugal.EINVALID) {
			t.Errorf("CheckRequest(%+v) = %v, want %q", tc.req, err, tc.want)
		}
	}
}

func TestCheckSchema(t *testing.T) {
	if err := wire.CheckSchema(json.RawMessage(`{"type":"object"}`)); err != nil {
		t.Error(err)
	}
	if err := wire.CheckSchema(json.RawMessage(`{"a"`)); frugal.ErrorCode(err) != frugal.EINVALID || err.Error() != "request: schema is not valid JSON" {
		t.Errorf("err = %v", err)
	}
}

func TestToolParameters(t *testing.T) {
	if p, err := wire.ToolParameters(frugal.Tool{Name: "f"}); err != nil || string(p) != `{"type":"object","properties":{}}` {
		t.Errorf("none: %s, %v", p, err)
	}
	if p, err := wire.ToolParameters(frugal.Tool{Name: "f", Parameters: json.RawMessage(`{"type":"object","required":["a"]}`)}); err != nil || string(p) != `{"type":"object","required":["a"]}` {
		t.Errorf("given: %s, %v", p, err)
	}
	_, err := wire.ToolParameters(frugal.Tool{Name: "f", Parameters: json.RawMessage(`{`)})
	if frugal.ErrorCode(err) != frugal.EINVALID || err.Error() != `request: tool "f": parameters are not valid JSON` {
		t.Errorf("invalid: err = %v", err)
	}
}

func TestToolResultText(t *testing.T) {
	if got := wire.ToolResultText(frugal.Message{Role: frugal.RoleTool, Content: "ok"}); got != "ok" {
		t.Errorf("ok: %q", got)
	}
	if got := wire.ToolResultText(frugal.Message{Role: frugal.RoleTool, Content: "denied", IsError: true}); got != "ERROR: denied" {
		t.Errorf("failed: %q", got)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
