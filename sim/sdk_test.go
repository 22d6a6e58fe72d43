package sim_test

import (
	"context"
	"errors"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	anthropicoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	openaioption "github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/frugal-dev/frugal"
	"github.com/frugal-dev/frugal/sim"
)

const sdkKey = "sk-sim-sdk-test-key"

func openaiClient(srv *sim.Server) openai.Client {
	return openai.NewClient(openaioption.WithBaseURL(srv.URL+"/v1/"), openaioption.WithAPIKey(sdkKey), openaioption.WithMaxRetries(0))
}

func openaiParams(msgs ...openai.ChatCompletionMessageParamUnion) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model:    "gpt-4.1",
		Messages: msgs,
		Tools: []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name: "read_file", Description: openai.String("Read a workspace file."),
			Parameters: shared.FunctionParameters{"type": "object", "properties": map[string]any{"path": map[string]any{"type": "string"}}, "required": []string{"path"}},
		})},
	}
}

func TestOpenAISDK(t *testing.T) {
	cas, err := sim.ParseCassette("tool.yaml", []byte(toolCassette))
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, sim.Options{Cassette: cas, APIKey: sdkKey})
	client := openaiClient(srv)
	ctx := context.Background()
	params := openaiParams(openai.SystemMessage(longText(1200)), openai.UserMessage("What package is main.go?"))
	resp, err := client.Chat.Completions.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	msg := resp.Choices[0].Message
	if resp.Choices[0].FinishReason != "tool_calls" || len(msg.ToolCalls) != 1 || msg.ToolCalls[0].Function.Name != "read_file" || msg.ToolCalls[0].Function.Arguments != `{"path":"main.go"}` {
		t.Fatalf("tool call = %+v", msg)
	}
	if resp.Usage.PromptTokens < 1200 || resp.Usage.PromptTokensDetails.CachedTokens != 0 || resp.Usage.CompletionTokens == 0 {
		t.Fatalf("usage = %+v", resp.Usage)
	}

	params.Messages = append(params.Messages, msg.ToParam(), openai.ToolMessage("package main", msg.ToolCalls[0].ID))
	resp2, err := client.Chat.Completions.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if resp2.Choices[0].Message.Content != "main.go declares package main." {
		t.Fatalf("second answer %q", resp2.Choices[0].Message.Content)
	}
	if c := resp2.Usage.PromptTokensDetails.CachedTokens; c < 1024 || c%128 != 0 {
		t.Fatalf("the shared prefix was not read from the cache: cached %d", c)
	}
	u, err := frugal.UsageFromOpenAI(resp2.Usage.PromptTokens, resp2.Usage.PromptTokensDetails.CachedTokens, resp2.Usage.CompletionTokens, resp2.Usage.CompletionTokensDetails.ReasoningTokens)
	if err != nil || u != srv.Calls()[1].Usage {
		t.Fatalf("SDK usage %+v (%v) differs from what the sim billed %+v", u, err, srv.Calls()[1].Usage)
	}

	// Streaming, accumulated by the SDK.
	params = openaiParams(openai.UserMessage("What package is main.go?"))
	params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	stream := client.Chat.Completions.NewStreaming(ctx, params)
	var acc openai.ChatCompletionAccumulator
	finished := 0
	for stream.Next() {
		acc.AddChunk(stream.Current())
		if tc, ok := acc.JustFinishedToolCall(); ok {
			finished++
			if tc.Name != "read_file" || tc.Arguments != `{"path":"main.go"}` {
				t.Fatalf("streamed tool call %+v", tc)
			}
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if finished != 1 || acc.Usage.PromptTokens != srv.Calls()[2].Usage.InputTotal() || acc.Usage.CompletionTokens != srv.Calls()[2].Usage.Output || acc.Choices[0].Message.Content != "Let me look." {
		t.Fatalf("accumulated %+v, billed %+v", acc.ChatCompletion, srv.Calls()[2].Usage)
	}

	// Errors reach the SDK as its own error type. (stream_options without
	// stream is itself refused, as OpenAI refuses it.)
	if _, err = client.Chat.Completions.New(ctx, params); err == nil {
		t.Fatal("stream_options on a non-streamed call was accepted")
	}
	params.StreamOptions = openai.ChatCompletionStreamOptionsParam{}
	srv.Inject(sim.Fault{Kind: sim.FaultRateLimit})
	_, err = client.Chat.Completions.New(ctx, params)
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Code != "rate_limit_exceeded" {
		t.Fatalf("rate limit surfaced as %v", err)
	}
	bad := openai.NewClient(openaioption.WithBaseURL(srv.URL+"/v1/"), openaioption.WithAPIKey("sk-wrong"), openaioption.WithMaxRetries(0))
	if _, err = bad.Chat.Completions.New(ctx, params); !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || apiErr.Code != "invalid_api_key" {
		t.Fatalf("wrong key surfaced as %v", err)
	}
}

func anthropicClient(srv *sim.Server) anthropic.Client {
	return anthropic.NewClient(anthropicoption.WithoutEnvironmentDefaults(), anthropicoption.WithBaseURL(srv.URL),
		anthropicoption.WithAPIKey(sdkKey), anthropicoption.WithMaxRetries(0))
}

func anthropicParams(system string, msgs ...anthropic.MessageParam) anthropic.MessageNewParams {
	return anthropic.MessageNewParams{
		Model:     "claude-sonnet-4-5",
		MaxTokens: 512,
		System:    []anthropic.TextBlockParam{{Text: system, CacheControl: anthropic.NewCacheControlEphemeralParam()}},
		Messages:  msgs,
		Tools: []anthropic.ToolUnionParam{{OfTool: &anthropic.ToolParam{
			Name: "read_file", Description: anthropic.String("Read a workspace file."),
			InputSchema: anthropic.ToolInputSchemaParam{Properties: map[string]any{"path": map[string]any{"type": "string"}}, Required: []string{"path"}},
		}}},
	}
}

func TestAnthropicSDK(t *testing.T) {
	cas, err := sim.ParseCassette("tool.yaml", []byte(toolCassette))
	if err != nil {
		t.Fatal(err)
	}
	srv := start(t, sim.Options{Cassette: cas, APIKey: sdkKey, Now: newClock().Now})
	client := anthropicClient(srv)
	ctx := context.Background()
	system := longText(1500)
	params := anthropicParams(system, anthropic.NewUserMessage(anthropic.NewTextBlock("What package is main.go?")))
	msg, err := client.Messages.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if msg.StopReason != anthropic.StopReasonToolUse || len(msg.Content) != 2 || msg.Content[1].Type != "tool_use" || msg.Content[1].Name != "read_file" || string(msg.Content[1].Input) != `{"path":"main.go"}` {
		t.Fatalf("message = %+v", msg)
	}
	if msg.Usage.CacheCreationInputTokens == 0 || msg.Usage.CacheCreation.Ephemeral5mInputTokens != msg.Usage.CacheCreationInputTokens || msg.Usage.CacheReadInputTokens != 0 {
		t.Fatalf("first call usage = %+v", msg.Usage)
	}
	written := msg.Usage.CacheCreationInputTokens

	params.Messages = append(params.Messages, msg.ToParam(), anthropic.NewUserMessage(anthropic.NewToolResultBlock(msg.Content[1].ID, "package main", false)))
	msg2, err := client.Messages.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if msg2.Content[0].Text != "main.go declares package main." || msg2.Usage.CacheReadInputTokens != written || msg2.Usage.CacheCreationInputTokens != 0 {
		t.Fatalf("second message %+v", msg2)
	}
	u, err := frugal.UsageFromAnthropic(msg2.Usage.InputTokens, msg2.Usage.CacheReadInputTokens, msg2.Usage.CacheCreationInputTokens,
		msg2.Usage.CacheCreation.Ephemeral5mInputTokens, msg2.Usage.CacheCreation.Ephemeral1hInputTokens, msg2.Usage.OutputTokens)
	if err != nil || u != srv.Calls()[1].Usage {
		t.Fatalf("SDK usage %+v (%v), billed %+v", u, err, srv.Calls()[1].Usage)
	}

	// Streaming, accumulated by the SDK: the tool call and the usage come out whole.
	stream := client.Messages.NewStreaming(ctx, anthropicParams(system, anthropic.NewUserMessage(anthropic.NewTextBlock("What package is main.go?"))))
	var acc anthropic.Message
	for stream.Next() {
		if err := acc.Accumulate(stream.Current()); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	billed := srv.Calls()[2].Usage
	if len(acc.Content) != 2 || string(acc.Content[1].Input) != `{"path":"main.go"}` || acc.StopReason != anthropic.StopReasonToolUse ||
		acc.Usage.OutputTokens != billed.Output || acc.Usage.InputTokens != billed.Input || acc.Usage.CacheReadInputTokens != billed.CacheRead {
		t.Fatalf("accumulated %+v (usage %+v), billed %+v", acc.Content, acc.Usage, billed)
	}
	if billed.CacheRead != written {
		t.Fatalf("streamed call read %d cached tokens, want %d", billed.CacheRead, written)
	}

	srv.Inject(sim.Fault{Kind: sim.FaultOverloaded})
	_, err = client.Messages.New(ctx, params)
	var apiErr *anthropic.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 529 || apiErr.Type() != "overloaded_error" {
		t.Fatalf("overloaded surfaced as %v", err)
	}
	noVersion := anthropicParams(system, anthropic.NewUserMessage(anthropic.NewTextBlock("x")))
	noVersion.MaxTokens = 0
	if _, err = client.Messages.New(ctx, noVersion); !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
		t.Fatalf("max_tokens 0 surfaced as %v", err)
	}
}
