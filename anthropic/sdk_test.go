package anthropic_test

// The official anthropic-sdk-go is the reference (a test-only dependency):
// requests it builds must survive our wire types, and answers written by
// our wire types must read correctly in it.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/frugal-dev/frugal/anthropic"
	"github.com/frugal-dev/frugal/internal/wiretest"
)

func sdkClient(url string) *sdk.Client {
	c := sdk.NewClient(option.WithoutEnvironmentDefaults(), option.WithBaseURL(url), option.WithAPIKey("sk-ant-sdk"), option.WithMaxRetries(0))
	return &c
}

func sdkParams() sdk.MessageNewParams {
	ttl1h := sdk.CacheControlEphemeralParam{TTL: sdk.CacheControlEphemeralTTLTTL1h}
	return sdk.MessageNewParams{
		Model:     "claude-sonnet-4-5",
		MaxTokens: 1024,
		System:    []sdk.TextBlockParam{{Text: "You check the weather.", CacheControl: ttl1h}},
		Messages: []sdk.MessageParam{
			sdk.NewUserMessage(sdk.NewTextBlock("Weather in Paris?")),
			sdk.NewAssistantMessage(sdk.NewTextBlock("Checking."), sdk.NewToolUseBlock("toolu_1", map[string]any{"city": "Paris"}, "get_weather")),
			sdk.NewUserMessage(sdk.NewToolResultBlock("toolu_1", `{"temp_c":21}`, false)),
		},
		Tools: []sdk.ToolUnionParam{{OfTool: &sdk.ToolParam{
			Name: "get_weather", Description: sdk.String("Current weather."),
			InputSchema:  sdk.ToolInputSchemaParam{Properties: map[string]any{"city": map[string]any{"type": "string"}}, Required: []string{"city"}},
			CacheControl: sdk.CacheControlEphemeralParam{TTL: sdk.CacheControlEphemeralTTLTTL5m},
		}}},
		StopSequences: []string{"END"},
		Metadata:      sdk.MetadataParam{UserID: sdk.String("u-1")},
		OutputConfig:  sdk.OutputConfigParam{Format: sdk.JSONOutputFormatParam{Schema: map[string]any{"type": "object"}}},
	}
}

func TestSDKRequestsRoundTrip(t *testing.T) {
	s := wiretest.NewServer(t, wiretest.ServeFile(t, "response_tools.json", "application/json"))
	if _, err := sdkClient(s.URL).Messages.New(context.Background(), sdkParams()); err != nil {
		t.Fatal(err)
	}
	sent := s.Last(t).Body
	var req anthropic.MessagesRequest
	if err := json.Unmarshal(sent, &req); err != nil {
		t.Fatal(err)
	}
	if req.Model != "claude-sonnet-4-5" || req.MaxTokens != 1024 || len(req.Messages) != 3 ||
		req.System.Blocks[0].CacheControl.TTL != "1h" || req.Tools[0].CacheControl.TTL != "5m" ||
		string(req.Messages[1].Content.Blocks[1].Input) != `{"city":"Paris"}` ||
		req.Messages[2].Content.Blocks[0].ToolUseID != "toolu_1" || req.OutputConfig.Format.Type != "json_schema" {
		t.Errorf("decoded SDK request = %s", sent)
	}
	out, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if !wiretest.SameJSON(t, sent, out) {
		t.Errorf("SDK request lost members:\nsent: %s\n out: %s", sent, out)
	}

	s2 := wiretest.NewServer(t, wiretest.ServeFile(t, "stream_text.sse", "text/event-stream"))
	st := sdkClient(s2.URL).Messages.NewStreaming(context.Background(), sdkParams())
	for st.Next() {
	}
	if err := st.Err(); err != nil {
		t.Fatal(err)
	}
	sent = s2.Last(t).Body
	if err := json.Unmarshal(sent, &req); err != nil {
		t.Fatal(err)
	}
	if out, _ = json.Marshal(req); !wiretest.SameJSON(t, sent, out) || req.Stream == nil || !*req.Stream {
		t.Errorf("SDK streaming request lost members:\nsent: %s\n out: %s", sent, out)
	}
}

func TestSDKReadsOurResponses(t *testing.T) {
	var body []byte
	s := wiretest.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	body = wiretest.Reencode[anthropic.MessagesResponse](t, wiretest.ReadFile(t, "response_chat.json"))
	got, err := sdkClient(s.URL).Messages.New(context.Background(), sdkParams())
	if err != nil {
		t.Fatal(err)
	}
	u := got.Usage
	if got.Content[0].Text != "Hi! My name is Claude." || got.StopReason != "end_turn" || u.InputTokens != 21 ||
		u.CacheReadInputTokens != 1800 || u.CacheCreationInputTokens != 2051 ||
		u.CacheCreation.Ephemeral5mInputTokens != 51 || u.CacheCreation.Ephemeral1hInputTokens != 2000 || u.OutputTokens != 393 {
		t.Errorf("SDK read %+v", got)
	}

	body = wiretest.Reencode[anthropic.MessagesResponse](t, wiretest.ReadFile(t, "response_tools.json"))
	got, err = sdkClient(s.URL).Messages.New(context.Background(), sdkParams())
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Content) != 3 || got.Content[2].Type != "tool_use" || got.Content[2].ID != "toolu_01A09q90qw90lq917835lq9" ||
		!strings.Contains(string(got.Content[2].Input), "San Francisco") || got.Usage.OutputTokensDetails.ThinkingTokens != 31 {
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
				var ev anthropic.StreamEvent
				if err := json.Unmarshal([]byte(data), &ev); err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&sse, "event: %s\ndata: %s\n\n", ev.Type, wiretest.Reencode[anthropic.StreamEvent](t, []byte(data)))
			}
			s := wiretest.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				fmt.Fprint(w, sse.String())
			})
			st := sdkClient(s.URL).Messages.NewStreaming(context.Background(), sdkParams())
			var msg sdk.Message
			for st.Next() {
				if err := msg.Accumulate(st.Current()); err != nil {
					t.Fatal(err)
				}
			}
			if err := st.Err(); err != nil {
				t.Fatal(err)
			}
			switch f {
			case "stream_text.sse":
				// The SDK, too, keeps the last cumulative usage.
				if msg.Content[0].Text != "Hello!" || msg.Usage.OutputTokens != 15 || msg.Usage.InputTokens != 25 ||
					msg.Usage.CacheReadInputTokens != 3000 || msg.StopReason != "end_turn" {
					t.Errorf("SDK accumulated %+v", msg)
				}
			case "stream_tools.sse":
				if len(msg.Content) != 3 || msg.Content[1].Name != "get_weather" ||
					string(msg.Content[1].Input) != `{"location": "San Francisco, CA", "unit": "fahrenheit"}` || msg.Usage.OutputTokens != 89 {
					t.Errorf("SDK accumulated %+v", msg.Content)
				}
			}
		})
	}
}
