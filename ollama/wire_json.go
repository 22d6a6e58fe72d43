package ollama

// JSON methods of the wire types: decode the modelled members, keep the
// others in Extra, and write both back (see internal/wire). Every wire type
// is listed here.

import "github.com/frugal-dev/frugal/internal/wire"

var (
	fieldsChatRequest      = wire.FieldsOf[ChatRequest]()
	fieldsMessage          = wire.FieldsOf[Message]()
	fieldsToolCall         = wire.FieldsOf[ToolCall]()
	fieldsToolCallFunction = wire.FieldsOf[ToolCallFunction]()
	fieldsTool             = wire.FieldsOf[Tool]()
	fieldsToolFunction     = wire.FieldsOf[ToolFunction]()
	fieldsModelOptions     = wire.FieldsOf[ModelOptions]()
	fieldsChatResponse     = wire.FieldsOf[ChatResponse]()
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

// UnmarshalJSON decodes a ToolCallFunction, keeping unknown members in Extra.
func (v *ToolCallFunction) UnmarshalJSON(b []byte) error {
	type plain ToolCallFunction
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsToolCallFunction)
}

// MarshalJSON encodes a ToolCallFunction with its Extra members.
func (v ToolCallFunction) MarshalJSON() ([]byte, error) {
	type plain ToolCallFunction
	return wire.Marshal(plain(v), v.Extra, fieldsToolCallFunction)
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

// UnmarshalJSON decodes a ToolFunction, keeping unknown members in Extra.
func (v *ToolFunction) UnmarshalJSON(b []byte) error {
	type plain ToolFunction
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsToolFunction)
}

// MarshalJSON encodes a ToolFunction with its Extra members.
func (v ToolFunction) MarshalJSON() ([]byte, error) {
	type plain ToolFunction
	return wire.Marshal(plain(v), v.Extra, fieldsToolFunction)
}

// UnmarshalJSON decodes a ModelOptions, keeping unknown members in Extra.
func (v *ModelOptions) UnmarshalJSON(b []byte) error {
	type plain ModelOptions
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsModelOptions)
}

// MarshalJSON encodes a ModelOptions with its Extra members.
func (v ModelOptions) MarshalJSON() ([]byte, error) {
	type plain ModelOptions
	return wire.Marshal(plain(v), v.Extra, fieldsModelOptions)
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
