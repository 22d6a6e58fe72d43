package openai_test

// The official openai-go SDK is the reference (a test-only dependency):
// requests it builds must survive our wire types, and answers written by
// our wire types must read correctly in it.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/frugal-dev/frugal/internal/wiretest"
	"github.com/frugal-dev/frugal/openai"
)

func sdkClient(url string) *sdk.Client {
	c := sdk.NewClient(option.WithBaseURL(url+"/v1/"), option.WithAPIKey("sk-sdk"), option.WithMaxRetries(0))
	return &c
}

func TestSDKRequestsRoundTrip(t *testing.T) {
	s := wiretest.NewServer(t, wiretest.ServeFile(t, "response_tools.json", "application/json"))
	c := sdkClient(s.URL)
	assistant := sdk.ChatCompletionAssistantMessageParam{
		Content: sdk.ChatCompletionAssistantMessageParamContentUnion{OfString: sdk.String("Checking.")},
		ToolCalls: []sdk.ChatCompletionMessageToolCallUnionParam{{OfFunction: &sdk.ChatCompletionMessageFunctionToolCallParam{
			ID: "call_1", Function: sdk.ChatCompletionMessageFunctionToolCallFunctionParam{Name: "get_weather", Arguments: `{"city":"Paris"}`},
		}}},
	}
	params := sdk.ChatCompletionNewParams{
		Model: "gpt-4.1",
		Messages: []sdk.ChatCompletionMessageParamUnion{
			sdk.SystemMessage("You check the weather."),
			sdk.UserMessage("Weather in Paris?"),
			{OfAssistant: &assistant},
			sdk.ToolMessage(`{"temp_c":21}`, "call_1"),
			sdk.UserMessage([]sdk.ChatCompletionContentPartUnionParam{
				sdk.TextContentPart("And this picture?"),
				sdk.ImageContentPart(sdk.ChatCompletionContentPartImageImageURLParam{URL: "data:image/png;base64,AAAA", Detail: "low"}),
			}),
		},
		Tools: []sdk.ChatCompletionToolUnionParam{sdk.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name: "get_weather", Description: sdk.String("Current weather."), Strict: sdk.Bool(true),
			Parameters: shared.FunctionParameters{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}},
		})},
		MaxCompletionTokens: sdk.Int(500),
		Temperature:         sdk.Float(0.3),
		Seed:                sdk.Int(7),
		PromptCacheKey:      sdk.String("agent-7"),
		ParallelToolCalls:   sdk.Bool(false),
		ToolChoice:          sdk.ChatCompletionToolChoiceOptionUnionParam{OfAuto: sdk.String("auto")},
		ResponseFormat: sdk.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
			JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: "answer", Strict: sdk.Bool(true), Schema: map[string]any{"type": "object"}},
		}},
		Metadata: shared.Metadata{"run": "r1"},
	}
	if _, err := c.Chat.Completions.New(context.Background(), params); err != nil {
		t.Fatal(err)
	}
	sent := s.Last(t).Body
	var req openai.ChatRequest
	if err := json.Unmarshal(sent, &req); err != nil {
		t.Fatal(err)
	}
	if req.Model != "gpt-4.1" || *req.MaxCompletionTokens != 500 || *req.Temperature != 0.3 || req.PromptCacheKey != "agent-7" ||
		len(req.Messages) != 5 || req.Messages[2].ToolCalls[0].Function.Arguments != `{"city":"Paris"}` ||
		req.Messages[3].ToolCallID != "call_1" || req.ResponseFormat.JSONSchema.Name != "answer" ||
		req.Tools[0].Function.Name != "get_weather" || string(req.Extra["seed"]) != "7" {
		t.Errorf("decoded SDK request = %s", sent)
	}
	out, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if !wiretest.SameJSON(t, sent, out) {
		t.Errorf("SDK request lost members:\nsent: %s\n out: %s", sent, out)
	}

	// Streaming requests too.
	s2 := wiretest.NewServer(t, wiretest.ServeFile(t, "stream_text.sse", "text/event-stream"))
	params.StreamOptions = sdk.ChatCompletionStreamOptionsParam{IncludeUsage: sdk.Bool(true)}
	st := sdkClient(s2.URL).Chat.Completions.NewStreaming(context.Background(), params)
	for st.Next() {
	}
	if err := st.Err(); err != nil {
		t.Fatal(err)
	}
	sent = s2.Last(t).Body
	if err := json.Unmarshal(sent, &req); err != nil {
		t.Fatal(err)
	}
	if out, _ = json.Marshal(req); !wiretest.SameJSON(t, sent, out) || req.Stream == nil || !*req.Stream || !*req.StreamOptions.IncludeUsage {
		t.Errorf("SDK streaming request lost members:\nsent: %s\n out: %s", sent, out)
	}
}

func TestSDKReadsOurResponses(t *testing.T) {
	body := wiretest.Reencode[openai.ChatResponse](t, wiretest.ReadFile(t, "response_tools.json"))
	s := wiretest.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	got, err := sdkClient(s.URL).Chat.Completions.New(context.Background(), sdk.ChatCompletionNewParams{
		Model: "gpt-4o-mini", Messages: []sdk.ChatCompletionMessageParamUnion{sdk.UserMessage("hi")},
	})
	if err != nil {
		t.Fatal(err)
	}
	tc := got.Choices[0].Message.ToolCalls
	if len(tc) != 2 || tc[0].ID != "call_abc123" || tc[0].Function.Name != "get_current_weather" ||
		!strings.Contains(tc[0].Function.Arguments, "Boston") || got.Choices[0].FinishReason != "tool_calls" ||
		got.Usage.PromptTokens != 82 || got.Usage.CompletionTokens != 17 || got.Model != "gpt-4o-mini" {
		t.Errorf("SDK read %+v", got)
	}

	body = wiretest.Reencode[openai.ChatResponse](t, wiretest.ReadFile(t, "response_chat.json"))
	got, err = sdkClient(s.URL).Chat.Completions.New(context.Background(), sdk.ChatCompletionNewParams{
		Model: "gpt-4.1", Messages: []sdk.ChatCompletionMessageParamUnion{sdk.UserMessage("hi")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Choices[0].Message.Content != "Hello! How can I assist you today?" || got.Usage.PromptTokensDetails.CachedTokens != 1792 {
		t.Errorf("SDK read %+v", got)
	}
}

func TestSDKReadsOurStreams(t *testing.T) {
	for _, f := range []string{"stream_text.sse", "stream_tools.sse"} {
		t.Run(f, func(t *testing.T) {
			var sse strings.Builder
			for _, line := range strings.Split(string(wiretest.ReadFile(t, f)), "\n") {
				data, ok := strings.CutPrefix(line, "data: ")
				if !ok {
					continue
				}
				if data != "[DONE]" {
					data = string(wiretest.Reencode[openai.ChatChunk](t, []byte(data)))
				}
				fmt.Fprintf(&sse, "data: %s\n\n", data)
			}
			s := wiretest.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				fmt.Fprint(w, sse.String())
			})
			st := sdkClient(s.URL).Chat.Completions.NewStreaming(context.Background(), sdk.ChatCompletionNewParams{
				Model: "gpt-4o", Messages: []sdk.ChatCompletionMessageParamUnion{sdk.UserMessage("hi")},
				StreamOptions: sdk.ChatCompletionStreamOptionsParam{IncludeUsage: sdk.Bool(true)},
			})
			var acc sdk.ChatCompletionAccumulator
			for st.Next() {
				acc.AddChunk(st.Current())
			}
			if err := st.Err(); err != nil {
				t.Fatal(err)
			}
			msg := acc.Choices[0].Message
			switch f {
			case "stream_text.sse":
				if msg.Content != "Hello there" || acc.Usage.PromptTokensDetails.CachedTokens != 1024 || acc.Usage.PromptTokens != 1200 {
					t.Errorf("SDK accumulated %+v usage %+v", msg, acc.Usage)
				}
			case "stream_tools.sse":
				if len(msg.ToolCalls) != 2 || msg.ToolCalls[0].Function.Arguments != `{"location":"Paris"}` || msg.ToolCalls[1].ID != "call_second" {
					t.Errorf("SDK accumulated %+v", msg.ToolCalls)
				}
			}
		})
	}
}
