package ollama

// JSON methods of the wire types: decode the modelled members, keep the
// others in Extra, and write both back. Every wire type is listed here.

var (
	fieldsChatRequest      = fieldsOf[ChatRequest]()
	fieldsMessage          = fieldsOf[Message]()
	fieldsToolCall         = fieldsOf[ToolCall]()
	fieldsToolCallFunction = fieldsOf[ToolCallFunction]()
	fieldsTool             = fieldsOf[Tool]()
	fieldsToolFunction     = fieldsOf[ToolFunction]()
	fieldsModelOptions     = fieldsOf[ModelOptions]()
	fieldsChatResponse     = fieldsOf[ChatResponse]()
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

// UnmarshalJSON decodes a ToolCallFunction, keeping unknown members in Extra.
func (v *ToolCallFunction) UnmarshalJSON(b []byte) error {
	type plain ToolCallFunction
	var w plain
	extra, err := decodeObject(b, &w, fieldsToolCallFunction)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = ToolCallFunction(w)
	return nil
}

// MarshalJSON encodes a ToolCallFunction with its Extra members.
func (v ToolCallFunction) MarshalJSON() ([]byte, error) {
	type plain ToolCallFunction
	return encodeObject(plain(v), v.Extra, fieldsToolCallFunction)
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

// UnmarshalJSON decodes a ToolFunction, keeping unknown members in Extra.
func (v *ToolFunction) UnmarshalJSON(b []byte) error {
	type plain ToolFunction
	var w plain
	extra, err := decodeObject(b, &w, fieldsToolFunction)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = ToolFunction(w)
	return nil
}

// MarshalJSON encodes a ToolFunction with its Extra members.
func (v ToolFunction) MarshalJSON() ([]byte, error) {
	type plain ToolFunction
	return encodeObject(plain(v), v.Extra, fieldsToolFunction)
}

// UnmarshalJSON decodes a ModelOptions, keeping unknown members in Extra.
func (v *ModelOptions) UnmarshalJSON(b []byte) error {
	type plain ModelOptions
	var w plain
	extra, err := decodeObject(b, &w, fieldsModelOptions)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = ModelOptions(w)
	return nil
}

// MarshalJSON encodes a ModelOptions with its Extra members.
func (v ModelOptions) MarshalJSON() ([]byte, error) {
	type plain ModelOptions
	return encodeObject(plain(v), v.Extra, fieldsModelOptions)
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
