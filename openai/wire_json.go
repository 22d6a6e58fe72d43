package openai

// JSON methods of the wire types: decode the modelled members, keep the
// others in Extra, and write both back (see internal/wire). Every wire type
// is listed here.

import "github.com/frugal-dev/frugal/internal/wire"

var (
	fieldsChatRequest             = wire.FieldsOf[ChatRequest]()
	fieldsMessage                 = wire.FieldsOf[Message]()
	fieldsToolCall                = wire.FieldsOf[ToolCall]()
	fieldsFunctionCall            = wire.FieldsOf[FunctionCall]()
	fieldsTool                    = wire.FieldsOf[Tool]()
	fieldsFunctionDef             = wire.FieldsOf[FunctionDef]()
	fieldsResponseFormat          = wire.FieldsOf[ResponseFormat]()
	fieldsJSONSchema              = wire.FieldsOf[JSONSchema]()
	fieldsStreamOptions           = wire.FieldsOf[StreamOptions]()
	fieldsUsageOptions            = wire.FieldsOf[UsageOptions]()
	fieldsChatResponse            = wire.FieldsOf[ChatResponse]()
	fieldsChoice                  = wire.FieldsOf[Choice]()
	fieldsUsage                   = wire.FieldsOf[Usage]()
	fieldsPromptTokensDetails     = wire.FieldsOf[PromptTokensDetails]()
	fieldsCompletionTokensDetails = wire.FieldsOf[CompletionTokensDetails]()
	fieldsChatChunk               = wire.FieldsOf[ChatChunk]()
	fieldsChunkChoice             = wire.FieldsOf[ChunkChoice]()
	fieldsChunkDelta              = wire.FieldsOf[ChunkDelta]()
	fieldsToolCallDelta           = wire.FieldsOf[ToolCallDelta]()
	fieldsFunctionDelta           = wire.FieldsOf[FunctionDelta]()
	fieldsXGroq                   = wire.FieldsOf[XGroq]()
	fieldsErrorDetail             = wire.FieldsOf[ErrorDetail]()
)

// UnmarshalJSON decodes a ChatRequest, keeping unknown members in Extra.
func (v *ChatRequest) UnmarshalJSON(b []byte) error {
	type plain ChatRequest
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsChatRequest)
}

// MarshalJSON encodes a ChatRequest with its Extra members.
func (v ChatRequest) MarshalJSON() ([]byte, error) {
	type plain ChatRequest
	return wire.Marshal(plain(v), v.Extra, fieldsChatRequest)
}

// UnmarshalJSON decodes a Message, keeping unknown members in Extra.
func (v *Message) UnmarshalJSON(b []byte) error {
	type plain Message
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsMessage)
}

// MarshalJSON encodes a Message with its Extra members.
func (v Message) MarshalJSON() ([]byte, error) {
	type plain Message
	return wire.Marshal(plain(v), v.Extra, fieldsMessage)
}

// UnmarshalJSON decodes a ToolCall, keeping unknown members in Extra.
func (v *ToolCall) UnmarshalJSON(b []byte) error {
	type plain ToolCall
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsToolCall)
}

// MarshalJSON encodes a ToolCall with its Extra members.
func (v ToolCall) MarshalJSON() ([]byte, error) {
	type plain ToolCall
	return wire.Marshal(plain(v), v.Extra, fieldsToolCall)
}

// UnmarshalJSON decodes a FunctionCall, keeping unknown members in Extra.
func (v *FunctionCall) UnmarshalJSON(b []byte) error {
	type plain FunctionCall
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsFunctionCall)
}

// MarshalJSON encodes a FunctionCall with its Extra members.
func (v FunctionCall) MarshalJSON() ([]byte, error) {
	type plain FunctionCall
	return wire.Marshal(plain(v), v.Extra, fieldsFunctionCall)
}

// UnmarshalJSON decodes a Tool, keeping unknown members in Extra.
func (v *Tool) UnmarshalJSON(b []byte) error {
	type plain Tool
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsTool)
}

// MarshalJSON encodes a Tool with its Extra members.
func (v Tool) MarshalJSON() ([]byte, error) {
	type plain Tool
	return wire.Marshal(plain(v), v.Extra, fieldsTool)
}

// UnmarshalJSON decodes a FunctionDef, keeping unknown members in Extra.
func (v *FunctionDef) UnmarshalJSON(b []byte) error {
	type plain FunctionDef
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsFunctionDef)
}

// MarshalJSON encodes a FunctionDef with its Extra members.
func (v FunctionDef) MarshalJSON() ([]byte, error) {
	type plain FunctionDef
	return wire.Marshal(plain(v), v.Extra, fieldsFunctionDef)
}

// UnmarshalJSON decodes a ResponseFormat, keeping unknown members in Extra.
func (v *ResponseFormat) UnmarshalJSON(b []byte) error {
	type plain ResponseFormat
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsResponseFormat)
}

// MarshalJSON encodes a ResponseFormat with its Extra members.
func (v ResponseFormat) MarshalJSON() ([]byte, error) {
	type plain ResponseFormat
	return wire.Marshal(plain(v), v.Extra, fieldsResponseFormat)
}

// UnmarshalJSON decodes a JSONSchema, keeping unknown members in Extra.
func (v *JSONSchema) UnmarshalJSON(b []byte) error {
	type plain JSONSchema
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsJSONSchema)
}

// MarshalJSON encodes a JSONSchema with its Extra members.
func (v JSONSchema) MarshalJSON() ([]byte, error) {
	type plain JSONSchema
	return wire.Marshal(plain(v), v.Extra, fieldsJSONSchema)
}

// UnmarshalJSON decodes a StreamOptions, keeping unknown members in Extra.
func (v *StreamOptions) UnmarshalJSON(b []byte) error {
	type plain StreamOptions
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsStreamOptions)
}

// MarshalJSON encodes a StreamOptions with its Extra members.
func (v StreamOptions) MarshalJSON() ([]byte, error) {
	type plain StreamOptions
	return wire.Marshal(plain(v), v.Extra, fieldsStreamOptions)
}

// UnmarshalJSON decodes a UsageOptions, keeping unknown members in Extra.
func (v *UsageOptions) UnmarshalJSON(b []byte) error {
	type plain UsageOptions
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsUsageOptions)
}

// MarshalJSON encodes a UsageOptions with its Extra members.
func (v UsageOptions) MarshalJSON() ([]byte, error) {
	type plain UsageOptions
	return wire.Marshal(plain(v), v.Extra, fieldsUsageOptions)
}

// UnmarshalJSON decodes a ChatResponse, keeping unknown members in Extra.
func (v *ChatResponse) UnmarshalJSON(b []byte) error {
	type plain ChatResponse
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsChatResponse)
}

// MarshalJSON encodes a ChatResponse with its Extra members.
func (v ChatResponse) MarshalJSON() ([]byte, error) {
	type plain ChatResponse
	return wire.Marshal(plain(v), v.Extra, fieldsChatResponse)
}

// UnmarshalJSON decodes a Choice, keeping unknown members in Extra.
func (v *Choice) UnmarshalJSON(b []byte) error {
	type plain Choice
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsChoice)
}

// MarshalJSON encodes a Choice with its Extra members.
func (v Choice) MarshalJSON() ([]byte, error) {
	type plain Choice
	return wire.Marshal(plain(v), v.Extra, fieldsChoice)
}

// UnmarshalJSON decodes a Usage, keeping unknown members in Extra.
func (v *Usage) UnmarshalJSON(b []byte) error {
	type plain Usage
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsUsage)
}

// MarshalJSON encodes a Usage with its Extra members.
func (v Usage) MarshalJSON() ([]byte, error) {
	type plain Usage
	return wire.Marshal(plain(v), v.Extra, fieldsUsage)
}

// UnmarshalJSON decodes a PromptTokensDetails, keeping unknown members in Extra.
func (v *PromptTokensDetails) UnmarshalJSON(b []byte) error {
	type plain PromptTokensDetails
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsPromptTokensDetails)
}

// MarshalJSON encodes a PromptTokensDetails with its Extra members.
func (v PromptTokensDetails) MarshalJSON() ([]byte, error) {
	type plain PromptTokensDetails
	return wire.Marshal(plain(v), v.Extra, fieldsPromptTokensDetails)
}

// UnmarshalJSON decodes a CompletionTokensDetails, keeping unknown members in Extra.
func (v *CompletionTokensDetails) UnmarshalJSON(b []byte) error {
	type plain CompletionTokensDetails
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsCompletionTokensDetails)
}

// MarshalJSON encodes a CompletionTokensDetails with its Extra members.
func (v CompletionTokensDetails) MarshalJSON() ([]byte, error) {
	type plain CompletionTokensDetails
	return wire.Marshal(plain(v), v.Extra, fieldsCompletionTokensDetails)
}

// UnmarshalJSON decodes a ChatChunk, keeping unknown members in Extra.
func (v *ChatChunk) UnmarshalJSON(b []byte) error {
	type plain ChatChunk
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsChatChunk)
}

// MarshalJSON encodes a ChatChunk with its Extra members.
func (v ChatChunk) MarshalJSON() ([]byte, error) {
	type plain ChatChunk
	return wire.Marshal(plain(v), v.Extra, fieldsChatChunk)
}

// UnmarshalJSON decodes a ChunkChoice, keeping unknown members in Extra.
func (v *ChunkChoice) UnmarshalJSON(b []byte) error {
	type plain ChunkChoice
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsChunkChoice)
}

// MarshalJSON encodes a ChunkChoice with its Extra members.
func (v ChunkChoice) MarshalJSON() ([]byte, error) {
	type plain ChunkChoice
	return wire.Marshal(plain(v), v.Extra, fieldsChunkChoice)
}

// UnmarshalJSON decodes a ChunkDelta, keeping unknown members in Extra.
func (v *ChunkDelta) UnmarshalJSON(b []byte) error {
	type plain ChunkDelta
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsChunkDelta)
}

// MarshalJSON encodes a ChunkDelta with its Extra members.
func (v ChunkDelta) MarshalJSON() ([]byte, error) {
	type plain ChunkDelta
	return wire.Marshal(plain(v), v.Extra, fieldsChunkDelta)
}

// UnmarshalJSON decodes a ToolCallDelta, keeping unknown members in Extra.
func (v *ToolCallDelta) UnmarshalJSON(b []byte) error {
	type plain ToolCallDelta
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsToolCallDelta)
}

// MarshalJSON encodes a ToolCallDelta with its Extra members.
func (v ToolCallDelta) MarshalJSON() ([]byte, error) {
	type plain ToolCallDelta
	return wire.Marshal(plain(v), v.Extra, fieldsToolCallDelta)
}

// UnmarshalJSON decodes a FunctionDelta, keeping unknown members in Extra.
func (v *FunctionDelta) UnmarshalJSON(b []byte) error {
	type plain FunctionDelta
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsFunctionDelta)
}

// MarshalJSON encodes a FunctionDelta with its Extra members.
func (v FunctionDelta) MarshalJSON() ([]byte, error) {
	type plain FunctionDelta
	return wire.Marshal(plain(v), v.Extra, fieldsFunctionDelta)
}

// UnmarshalJSON decodes a XGroq, keeping unknown members in Extra.
func (v *XGroq) UnmarshalJSON(b []byte) error {
	type plain XGroq
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsXGroq)
}

// MarshalJSON encodes a XGroq with its Extra members.
func (v XGroq) MarshalJSON() ([]byte, error) {
	type plain XGroq
	return wire.Marshal(plain(v), v.Extra, fieldsXGroq)
}

// UnmarshalJSON decodes a ErrorDetail, keeping unknown members in Extra.
func (v *ErrorDetail) UnmarshalJSON(b []byte) error {
	type plain ErrorDetail
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsErrorDetail)
}

// MarshalJSON encodes a ErrorDetail with its Extra members.
func (v ErrorDetail) MarshalJSON() ([]byte, error) {
	type plain ErrorDetail
	return wire.Marshal(plain(v), v.Extra, fieldsErrorDetail)
}
