package openai

// JSON methods of the wire types: decode the modelled members, keep the
// others in Extra, and write both back. Every wire type is listed here.

var (
	fieldsChatRequest             = fieldsOf[ChatRequest]()
	fieldsMessage                 = fieldsOf[Message]()
	fieldsToolCall                = fieldsOf[ToolCall]()
	fieldsFunctionCall            = fieldsOf[FunctionCall]()
	fieldsTool                    = fieldsOf[Tool]()
	fieldsFunctionDef             = fieldsOf[FunctionDef]()
	fieldsResponseFormat          = fieldsOf[ResponseFormat]()
	fieldsJSONSchema              = fieldsOf[JSONSchema]()
	fieldsStreamOptions           = fieldsOf[StreamOptions]()
	fieldsUsageOptions            = fieldsOf[UsageOptions]()
	fieldsChatResponse            = fieldsOf[ChatResponse]()
	fieldsChoice                  = fieldsOf[Choice]()
	fieldsUsage                   = fieldsOf[Usage]()
	fieldsPromptTokensDetails     = fieldsOf[PromptTokensDetails]()
	fieldsCompletionTokensDetails = fieldsOf[CompletionTokensDetails]()
	fieldsChatChunk               = fieldsOf[ChatChunk]()
	fieldsChunkChoice             = fieldsOf[ChunkChoice]()
	fieldsChunkDelta              = fieldsOf[ChunkDelta]()
	fieldsToolCallDelta           = fieldsOf[ToolCallDelta]()
	fieldsFunctionDelta           = fieldsOf[FunctionDelta]()
	fieldsXGroq                   = fieldsOf[XGroq]()
	fieldsErrorDetail             = fieldsOf[ErrorDetail]()
)

// UnmarshalJSON decodes a ChatRequest, keeping unknown members in Extra.
func (v *ChatRequest) UnmarshalJSON(b []byte) error {
	type plain ChatRequest
	var w plain
	extra, err := decodeObject(b, &w, fieldsChatRequest)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = ChatRequest(w)
	return nil
}

// MarshalJSON encodes a ChatRequest with its Extra members.
func (v ChatRequest) MarshalJSON() ([]byte, error) {
	type plain ChatRequest
	return encodeObject(plain(v), v.Extra, fieldsChatRequest)
}

// UnmarshalJSON decodes a Message, keeping unknown members in Extra.
func (v *Message) UnmarshalJSON(b []byte) error {
	type plain Message
	var w plain
	extra, err := decodeObject(b, &w, fieldsMessage)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = Message(w)
	return nil
}

// MarshalJSON encodes a Message with its Extra members.
func (v Message) MarshalJSON() ([]byte, error) {
	type plain Message
	return encodeObject(plain(v), v.Extra, fieldsMessage)
}

// UnmarshalJSON decodes a ToolCall, keeping unknown members in Extra.
func (v *ToolCall) UnmarshalJSON(b []byte) error {
	type plain ToolCall
	var w plain
	extra, err := decodeObject(b, &w, fieldsToolCall)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = ToolCall(w)
	return nil
}

// MarshalJSON encodes a ToolCall with its Extra members.
func (v ToolCall) MarshalJSON() ([]byte, error) {
	type plain ToolCall
	return encodeObject(plain(v), v.Extra, fieldsToolCall)
}

// UnmarshalJSON decodes a FunctionCall, keeping unknown members in Extra.
func (v *FunctionCall) UnmarshalJSON(b []byte) error {
	type plain FunctionCall
	var w plain
	extra, err := decodeObject(b, &w, fieldsFunctionCall)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = FunctionCall(w)
	return nil
}

// MarshalJSON encodes a FunctionCall with its Extra members.
func (v FunctionCall) MarshalJSON() ([]byte, error) {
	type plain FunctionCall
	return encodeObject(plain(v), v.Extra, fieldsFunctionCall)
}

// UnmarshalJSON decodes a Tool, keeping unknown members in Extra.
func (v *Tool) UnmarshalJSON(b []byte) error {
	type plain Tool
	var w plain
	extra, err := decodeObject(b, &w, fieldsTool)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = Tool(w)
	return nil
}

// MarshalJSON encodes a Tool with its Extra members.
func (v Tool) MarshalJSON() ([]byte, error) {
	type plain Tool
	return encodeObject(plain(v), v.Extra, fieldsTool)
}

// UnmarshalJSON decodes a FunctionDef, keeping unknown members in Extra.
func (v *FunctionDef) UnmarshalJSON(b []byte) error {
	type plain FunctionDef
	var w plain
	extra, err := decodeObject(b, &w, fieldsFunctionDef)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = FunctionDef(w)
	return nil
}

// MarshalJSON encodes a FunctionDef with its Extra members.
func (v FunctionDef) MarshalJSON() ([]byte, error) {
	type plain FunctionDef
	return encodeObject(plain(v), v.Extra, fieldsFunctionDef)
}

// UnmarshalJSON decodes a ResponseFormat, keeping unknown members in Extra.
func (v *ResponseFormat) UnmarshalJSON(b []byte) error {
	type plain ResponseFormat
	var w plain
	extra, err := decodeObject(b, &w, fieldsResponseFormat)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = ResponseFormat(w)
	return nil
}

// MarshalJSON encodes a ResponseFormat with its Extra members.
func (v ResponseFormat) MarshalJSON() ([]byte, error) {
	type plain ResponseFormat
	return encodeObject(plain(v), v.Extra, fieldsResponseFormat)
}

// UnmarshalJSON decodes a JSONSchema, keeping unknown members in Extra.
func (v *JSONSchema) UnmarshalJSON(b []byte) error {
	type plain JSONSchema
	var w plain
	extra, err := decodeObject(b, &w, fieldsJSONSchema)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = JSONSchema(w)
	return nil
}

// MarshalJSON encodes a JSONSchema with its Extra members.
func (v JSONSchema) MarshalJSON() ([]byte, error) {
	type plain JSONSchema
	return encodeObject(plain(v), v.Extra, fieldsJSONSchema)
}

// UnmarshalJSON decodes a StreamOptions, keeping unknown members in Extra.
func (v *StreamOptions) UnmarshalJSON(b []byte) error {
	type plain StreamOptions
	var w plain
	extra, err := decodeObject(b, &w, fieldsStreamOptions)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = StreamOptions(w)
	return nil
}

// MarshalJSON encodes a StreamOptions with its Extra members.
func (v StreamOptions) MarshalJSON() ([]byte, error) {
	type plain StreamOptions
	return encodeObject(plain(v), v.Extra, fieldsStreamOptions)
}

// UnmarshalJSON decodes a UsageOptions, keeping unknown members in Extra.
func (v *UsageOptions) UnmarshalJSON(b []byte) error {
	type plain UsageOptions
	var w plain
	extra, err := decodeObject(b, &w, fieldsUsageOptions)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = UsageOptions(w)
	return nil
}

// MarshalJSON encodes a UsageOptions with its Extra members.
func (v UsageOptions) MarshalJSON() ([]byte, error) {
	type plain UsageOptions
	return encodeObject(plain(v), v.Extra, fieldsUsageOptions)
}

// UnmarshalJSON decodes a ChatResponse, keeping unknown members in Extra.
func (v *ChatResponse) UnmarshalJSON(b []byte) error {
	type plain ChatResponse
	var w plain
	extra, err := decodeObject(b, &w, fieldsChatResponse)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = ChatResponse(w)
	return nil
}

// MarshalJSON encodes a ChatResponse with its Extra members.
func (v ChatResponse) MarshalJSON() ([]byte, error) {
	type plain ChatResponse
	return encodeObject(plain(v), v.Extra, fieldsChatResponse)
}

// UnmarshalJSON decodes a Choice, keeping unknown members in Extra.
func (v *Choice) UnmarshalJSON(b []byte) error {
	type plain Choice
	var w plain
	extra, err := decodeObject(b, &w, fieldsChoice)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = Choice(w)
	return nil
}

// MarshalJSON encodes a Choice with its Extra members.
func (v Choice) MarshalJSON() ([]byte, error) {
	type plain Choice
	return encodeObject(plain(v), v.Extra, fieldsChoice)
}

// UnmarshalJSON decodes a Usage, keeping unknown members in Extra.
func (v *Usage) UnmarshalJSON(b []byte) error {
	type plain Usage
	var w plain
	extra, err := decodeObject(b, &w, fieldsUsage)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = Usage(w)
	return nil
}

// MarshalJSON encodes a Usage with its Extra members.
func (v Usage) MarshalJSON() ([]byte, error) {
	type plain Usage
	return encodeObject(plain(v), v.Extra, fieldsUsage)
}

// UnmarshalJSON decodes a PromptTokensDetails, keeping unknown members in Extra.
func (v *PromptTokensDetails) UnmarshalJSON(b []byte) error {
	type plain PromptTokensDetails
	var w plain
	extra, err := decodeObject(b, &w, fieldsPromptTokensDetails)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = PromptTokensDetails(w)
	return nil
}

// MarshalJSON encodes a PromptTokensDetails with its Extra members.
func (v PromptTokensDetails) MarshalJSON() ([]byte, error) {
	type plain PromptTokensDetails
	return encodeObject(plain(v), v.Extra, fieldsPromptTokensDetails)
}

// UnmarshalJSON decodes a CompletionTokensDetails, keeping unknown members in Extra.
func (v *CompletionTokensDetails) UnmarshalJSON(b []byte) error {
	type plain CompletionTokensDetails
	var w plain
	extra, err := decodeObject(b, &w, fieldsCompletionTokensDetails)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = CompletionTokensDetails(w)
	return nil
}

// MarshalJSON encodes a CompletionTokensDetails with its Extra members.
func (v CompletionTokensDetails) MarshalJSON() ([]byte, error) {
	type plain CompletionTokensDetails
	return encodeObject(plain(v), v.Extra, fieldsCompletionTokensDetails)
}

// UnmarshalJSON decodes a ChatChunk, keeping unknown members in Extra.
func (v *ChatChunk) UnmarshalJSON(b []byte) error {
	type plain ChatChunk
	var w plain
	extra, err := decodeObject(b, &w, fieldsChatChunk)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = ChatChunk(w)
	return nil
}

// MarshalJSON encodes a ChatChunk with its Extra members.
func (v ChatChunk) MarshalJSON() ([]byte, error) {
	type plain ChatChunk
	return encodeObject(plain(v), v.Extra, fieldsChatChunk)
}

// UnmarshalJSON decodes a ChunkChoice, keeping unknown members in Extra.
func (v *ChunkChoice) UnmarshalJSON(b []byte) error {
	type plain ChunkChoice
	var w plain
	extra, err := decodeObject(b, &w, fieldsChunkChoice)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = ChunkChoice(w)
	return nil
}

// MarshalJSON encodes a ChunkChoice with its Extra members.
func (v ChunkChoice) MarshalJSON() ([]byte, error) {
	type plain ChunkChoice
	return encodeObject(plain(v), v.Extra, fieldsChunkChoice)
}

// UnmarshalJSON decodes a ChunkDelta, keeping unknown members in Extra.
func (v *ChunkDelta) UnmarshalJSON(b []byte) error {
	type plain ChunkDelta
	var w plain
	extra, err := decodeObject(b, &w, fieldsChunkDelta)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = ChunkDelta(w)
	return nil
}

// MarshalJSON encodes a ChunkDelta with its Extra members.
func (v ChunkDelta) MarshalJSON() ([]byte, error) {
	type plain ChunkDelta
	return encodeObject(plain(v), v.Extra, fieldsChunkDelta)
}

// UnmarshalJSON decodes a ToolCallDelta, keeping unknown members in Extra.
func (v *ToolCallDelta) UnmarshalJSON(b []byte) error {
	type plain ToolCallDelta
	var w plain
	extra, err := decodeObject(b, &w, fieldsToolCallDelta)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = ToolCallDelta(w)
	return nil
}

// MarshalJSON encodes a ToolCallDelta with its Extra members.
func (v ToolCallDelta) MarshalJSON() ([]byte, error) {
	type plain ToolCallDelta
	return encodeObject(plain(v), v.Extra, fieldsToolCallDelta)
}

// UnmarshalJSON decodes a FunctionDelta, keeping unknown members in Extra.
func (v *FunctionDelta) UnmarshalJSON(b []byte) error {
	type plain FunctionDelta
	var w plain
	extra, err := decodeObject(b, &w, fieldsFunctionDelta)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = FunctionDelta(w)
	return nil
}

// MarshalJSON encodes a FunctionDelta with its Extra members.
func (v FunctionDelta) MarshalJSON() ([]byte, error) {
	type plain FunctionDelta
	return encodeObject(plain(v), v.Extra, fieldsFunctionDelta)
}

// UnmarshalJSON decodes a XGroq, keeping unknown members in Extra.
func (v *XGroq) UnmarshalJSON(b []byte) error {
	type plain XGroq
	var w plain
	extra, err := decodeObject(b, &w, fieldsXGroq)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = XGroq(w)
	return nil
}

// MarshalJSON encodes a XGroq with its Extra members.
func (v XGroq) MarshalJSON() ([]byte, error) {
	type plain XGroq
	return encodeObject(plain(v), v.Extra, fieldsXGroq)
}

// UnmarshalJSON decodes a ErrorDetail, keeping unknown members in Extra.
func (v *ErrorDetail) UnmarshalJSON(b []byte) error {
	type plain ErrorDetail
	var w plain
	extra, err := decodeObject(b, &w, fieldsErrorDetail)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = ErrorDetail(w)
	return nil
}

// MarshalJSON encodes a ErrorDetail with its Extra members.
func (v ErrorDetail) MarshalJSON() ([]byte, error) {
	type plain ErrorDetail
	return encodeObject(plain(v), v.Extra, fieldsErrorDetail)
}
