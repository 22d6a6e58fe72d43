package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// openaiWire is POST /v1/chat/completions: OpenAI Chat Completions, and
// DeepSeek's usage fields for models named deepseek*.
type openaiWire struct{}

func (openaiWire) idPrefixes() (string, string) { return "chatcmpl-sim", "call_sim" }

func (openaiWire) name() string { return endpointOpenAI }

type oaRequest struct {
	Model               string          `json:"model"`
	Messages            []oaMessage     `json:"messages"`
	Tools               []oaTool        `json:"tools"`
	ToolChoice          json.RawMessage `json:"tool_choice"`
	ResponseFormat      *oaFormat       `json:"response_format"`
	MaxTokens           *int64          `json:"max_tokens"`
	MaxCompletionTokens *int64          `json:"max_completion_tokens"`
	Stream              bool            `json:"stream"`
	StreamOptions       *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	PromptCacheKey string          `json:"prompt_cache_key"`
	N              *int            `json:"n"`
	Stop           json.RawMessage `json:"stop"`
}

// oaKnownFields are the top-level fields accepted; anything else is
// refused as OpenAI refuses it, so that a misspelt field fails loudly.
var oaKnownFields = []string{
	"model", "messages", "tools", "tool_choice", "response_format", "max_tokens", "max_completion_tokens",
	"stream", "stream_options", "prompt_cache_key", "prompt_cache_retention", "n", "stop", "temperature", "top_p",
	"seed", "user", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs",
	"parallel_tool_calls", "service_tier", "store", "metadata", "reasoning_effort", "modalities", "audio",
	"prediction", "web_search_options", "functions", "function_call", "verbosity", "safety_identifier",
	// Extensions of OpenAI-compatible servers (DeepSeek, OpenRouter, vLLM, Ollama's /v1).
	"thinking", "reasoning", "usage", "provider", "transforms", "models", "route", "top_k", "min_p",
	"repetition_penalty", "chat_template_kwargs", "keep_alive",
}

type oaMessage struct {
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content"`
	Name       string          `json:"name"`
	ToolCalls  []oaToolCall    `json:"tool_calls"`
	ToolCallID string          `json:"tool_call_id"`
}

type oaToolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type oaTool struct {
	Type     string `json:"type"`
	Function struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Parameters  json.RawMessage `json:"parameters"`
		Strict      *bool           `json:"strict"`
	} `json:"function"`
}

type oaFormat struct {
	Type       string `json:"type"`
	JSONSchema *struct {
		Name   string          `json:"name"`
		Schema json.RawMessage `json:"schema"`
		Strict *bool           `json:"strict"`
	} `json:"json_schema"`
}

var toolNameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

func (openaiWire) parse(body []byte, _ http.Header) (*conv, *apiError) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return nil, badRequest("We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)")
	}
	for k := range fields {
		if !slices.Contains(oaKnownFields, k) {
			return nil, &apiError{status: 400, msg: "Unrecognized request argument supplied: " + k}
		}
	}
	var req oaRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, badRequest("Invalid request body: %s", jsonErr(err))
	}
	if req.Model == "" {
		return nil, &apiError{status: 400, msg: "you must provide a model parameter", param: "model"}
	}
	if len(req.Messages) == 0 {
		return nil, &apiError{status: 400, msg: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", param: "messages", code: "empty_array"}
	}
	c := &conv{endpoint: endpointOpenAI, model: req.Model, stream: req.Stream, cacheKey: req.PromptCacheKey, countSchema: true}
	if req.StreamOptions != nil {
		if !req.Stream {
			return nil, &apiError{status: 400, msg: "The 'stream_options' parameter is only allowed when 'stream' is enabled.", param: "stream_options"}
		}
		c.includeUsage = req.StreamOptions.IncludeUsage
	}
	if req.N != nil && *req.N != 1 {
		return nil, &apiError{status: 400, msg: "sim: only n=1 is supported", param: "n"}
	}
	for _, mt := range []struct {
		name string
		v    *int64
	}{{"max_tokens", req.MaxTokens}, {"max_completion_tokens", req.MaxCompletionTokens}} {
		if mt.v == nil {
			continue
		}
		if *mt.v < 1 {
			return nil, &apiError{status: 400, msg: fmt.Sprintf("Invalid '%s': integer below minimum value. Expected a value >= 1, but got %d instead.", mt.name, *mt.v), param: mt.name, code: "integer_below_min_value"}
		}
		c.maxOutput = *mt.v // max_completion_tokens, read second, wins
	}
	stop, e := parseStop(req.Stop)
	if e != nil {
		return nil, e
	}
	c.stop = stop
	for i, t := range req.Tools {
		if t.Type != "function" {
			return nil, &apiError{status: 400, msg: fmt.Sprintf("Invalid value: '%s'. Supported values are: 'function' and 'custom'.", t.Type), param: fmt.Sprintf("tools[%d].type", i), code: "invalid_value"}
		}
		if !toolNameRE.MatchString(t.Function.Name) {
			return nil, &apiError{status: 400, msg: fmt.Sprintf("Invalid 'tools[%d].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.", i), param: fmt.Sprintf("tools[%d].function.name", i), code: "invalid_value"}
		}
		c.tools = append(c.tools, toolDef{name: t.Function.Name, description: t.Function.Description, params: t.Function.Parameters})
	}
	if e := oaToolChoice(c, req.ToolChoice); e != nil {
		return nil, e
	}
	if f := req.ResponseFormat; f != nil {
		switch f.Type {
		case "text", "":
		case "json_object":
			c.jsonMode = true
		case "json_schema":
			if f.JSONSchema == nil || f.JSONSchema.Name == "" {
				return nil, &apiError{status: 400, msg: "Missing required parameter: 'response_format.json_schema.name'.", param: "response_format.json_schema.name", code: "missing_required_parameter"}
			}
			c.schema, c.schemaName = f.JSONSchema.Schema, f.JSONSchema.Name
			if len(c.schema) == 0 || string(c.schema) == "null" {
				c.schema = json.RawMessage(`{}`)
			}
		default:
			return nil, &apiError{status: 400, msg: fmt.Sprintf("Invalid value: '%s'. Supported values are: 'json_object', 'json_schema', and 'text'.", f.Type), param: "response_format.type", code: "invalid_value"}
		}
	}
	if e := oaMessages(c, req.Messages); e != nil {
		return nil, e
	}
	return c, nil
}

func oaToolChoice(c *conv, raw json.RawMessage) *apiError {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if len(c.tools) == 0 {
		return &apiError{status: 400, msg: "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", param: "tool_choice"}
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch s {
		case "auto", "none", "required":
			c.toolChoice = s
			return nil
		}
		return &apiError{status: 400, msg: fmt.Sprintf("Invalid value: '%s'. Supported values are: 'none', 'auto', and 'required'.", s), param: "tool_choice", code: "invalid_value"}
	}
	var named struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if json.Unmarshal(raw, &named) != nil || named.Function.Name == "" {
		return &apiError{status: 400, msg: "Invalid 'tool_choice': expected a string or a function object.", param: "tool_choice"}
	}
	if !c.hasTool(named.Function.Name) {
		return &apiError{status: 400, msg: fmt.Sprintf("Invalid value for 'tool_choice': function '%s' is not among the 'tools'.", named.Function.Name), param: "tool_choice"}
	}
	c.toolChoice = "tool:" + named.Function.Name
	return nil
}

func oaMessages(c *conv, msgs []oaMessage) *apiError {
	pending := map[string]int{} // tool_call_id -> index of the assistant message awaiting it
	var open []string
	for i, m := range msgs {
		param := fmt.Sprintf("messages.[%d]", i)
		if m.Role != "tool" && len(open) > 0 {
			return &apiError{status: 400, msg: "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: " + strings.Join(open, ", "), param: fmt.Sprintf("messages.[%d].role", pending[open[0]])}
		}
		text, hasImage, e := oaContent(m.Content, param+".content")
		if e != nil {
			return e
		}
		msg := message{role: m.Role, name: m.Name}
		switch m.Role {
		case "system", "developer":
			msg.role = "system"
			msg.blocks = []block{{kind: "text", text: text}}
		case "user":
			msg.blocks = []block{{kind: "text", text: text}}
			if hasImage {
				msg.blocks = append(msg.blocks, block{kind: "image"})
			}
		case "assistant":
			if text != "" || len(m.ToolCalls) == 0 {
				msg.blocks = []block{{kind: "text", text: text}}
			}
			for j, tc := range m.ToolCalls {
				if tc.ID == "" {
					return &apiError{status: 400, msg: "Missing required parameter: 'messages.[" + strconv.Itoa(i) + "].tool_calls.[" + strconv.Itoa(j) + "].id'.", param: fmt.Sprintf("%s.tool_calls.[%d].id", param, j), code: "missing_required_parameter"}
				}
				msg.blocks = append(msg.blocks, block{kind: "tool_use", id: tc.ID, name: tc.Function.Name, args: json.RawMessage(tc.Function.Arguments)})
				pending[tc.ID] = i
				open = append(open, tc.ID)
			}
		case "tool":
			idx := slices.Index(open, m.ToolCallID)
			if idx < 0 {
				return &apiError{status: 400, msg: "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", param: param + ".role"}
			}
			open = slices.Delete(open, idx, idx+1)
			msg.blocks = []block{{kind: "tool_result", id: m.ToolCallID, text: text}}
		default:
			return &apiError{status: 400, msg: fmt.Sprintf("Invalid value: '%s'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.", m.Role), param: param + ".role", code: "invalid_value"}
		}
		c.messages = append(c.messages, msg)
	}
	if len(open) > 0 {
		return &apiError{status: 400, msg: "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: " + strings.Join(open, ", "), param: fmt.Sprintf("messages.[%d].role", pending[open[0]])}
	}
	return nil
}

// oaContent reads a message content: a string, null, or an array of parts
// whose text parts are joined.
func oaContent(raw json.RawMessage, param string) (text string, hasImage bool, e *apiError) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false, nil
	}
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return "", false, &apiError{status: 400, msg: "Invalid '" + param + "': " + jsonErr(err), param: param}
		}
		return text, false, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", false, &apiError{status: 400, msg: "Invalid type for '" + param + "': expected one of a string or array of objects.", param: param, code: "invalid_type"}
	}
	var texts []string
	for _, p := range parts {
		switch p.Type {
		case "text", "input_text", "refusal":
			texts = append(texts, p.Text)
		case "image_url", "input_image", "input_audio", "file":
			hasImage = true
		default:
			return "", false, &apiError{status: 400, msg: fmt.Sprintf("Invalid value: '%s'. Supported values are: 'text', 'image_url', 'input_audio', 'refusal', and 'file'.", p.Type), param: param + ".type", code: "invalid_value"}
		}
	}
	return strings.Join(texts, "\n"), hasImage, nil
}

// parseStop reads OpenAI's stop: a string or a list of up to 4 strings.
func parseStop(raw json.RawMessage) ([]string, *apiError) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil || len(many) > 4 {
		return nil, &apiError{status: 400, msg: "Invalid 'stop': expected a string or an array of at most 4 strings.", param: "stop"}
	}
	return many, nil
}

func jsonErr(err error) string {
	return strings.TrimPrefix(err.Error(), "json: ")
}

func (openaiWire) writeError(w http.ResponseWriter, e *apiError) {
	typ, msg, code := e.typ, e.msg, e.code
	switch e.status {
	case 401:
		typ, code = "invalid_request_error", "invalid_api_key"
		msg = cmpOr(msg, "Incorrect API key provided.")
	case 404:
		typ = "invalid_request_error"
		if code == "model_not_found" {
			msg = fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", e.msg)
		}
	case 429:
		typ, code = cmpOr(typ, "requests"), cmpOr(code, "rate_limit_exceeded")
		msg = cmpOr(msg, "Rate limit reached for requests per min (RPM). Please try again later.")
	case 500:
		typ, msg = cmpOr(typ, "server_error"), cmpOr(msg, "The server had an error while processing your request. Sorry about that!")
	case 503:
		typ, msg = cmpOr(typ, "server_error"), cmpOr(msg, "The engine is currently overloaded, please try again later.")
	case 529:
		typ, msg = cmpOr(typ, "overloaded_error"), cmpOr(msg, "The server is overloaded, please try again later.")
	}
	if typ == "" || typ == "not_found" || typ == "request_too_large" {
		typ = "invalid_request_error"
	}
	setRetryAfter(w, e.retryAfter)
	type body struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Param   any    `json:"param"`
		Code    any    `json:"code"`
	}
	writeJSON(w, e.status, map[string]body{"error": {Message: cmpOr(msg, http.StatusText(e.status)), Type: typ, Param: nullable(e.param), Code: nullable(code)}})
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func setRetryAfter(w http.ResponseWriter, d time.Duration) {
	if d > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10))
	}
}
