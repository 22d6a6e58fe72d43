package anthropic

// JSON methods of the wire types: decode the modelled members, keep the
// others in Extra, and write both back. Every wire type is listed here.

var (
	fieldsMessagesRequest     = fieldsOf[MessagesRequest]()
	fieldsMessage             = fieldsOf[Message]()
	fieldsContentBlock        = fieldsOf[ContentBlock]()
	fieldsCacheControl        = fieldsOf[CacheControl]()
	fieldsTool                = fieldsOf[Tool]()
	fieldsOutputConfig        = fieldsOf[OutputConfig]()
	fieldsOutputFormat        = fieldsOf[OutputFormat]()
	fieldsMessagesResponse    = fieldsOf[MessagesResponse]()
	fieldsUsage               = fieldsOf[Usage]()
	fieldsCacheCreation       = fieldsOf[CacheCreation]()
	fieldsOutputTokensDetails = fieldsOf[OutputTokensDetails]()
	fieldsStreamEvent         = fieldsOf[StreamEvent]()
	fieldsEventDelta          = fieldsOf[EventDelta]()
	fieldsErrorDetail         = fieldsOf[ErrorDetail]()
)

// UnmarshalJSON decodes a MessagesRequest, keeping unknown members in Extra.
func (v *MessagesRequest) UnmarshalJSON(b []byte) error {
	type plain MessagesRequest
	var w plain
	extra, err := decodeObject(b, &w, fieldsMessagesRequest)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = MessagesRequest(w)
	return nil
}

// MarshalJSON encodes a MessagesRequest with its Extra members.
func (v MessagesRequest) MarshalJSON() ([]byte, error) {
	type plain MessagesRequest
	return encodeObject(plain(v), v.Extra, fieldsMessagesRequest)
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

// UnmarshalJSON decodes a ContentBlock, keeping unknown members in Extra.
func (v *ContentBlock) UnmarshalJSON(b []byte) error {
	type plain ContentBlock
	var w plain
	extra, err := decodeObject(b, &w, fieldsContentBlock)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = ContentBlock(w)
	return nil
}

// MarshalJSON encodes a ContentBlock with its Extra members.
func (v ContentBlock) MarshalJSON() ([]byte, error) {
	type plain ContentBlock
	return encodeObject(plain(v), v.Extra, fieldsContentBlock)
}

// UnmarshalJSON decodes a CacheControl, keeping unknown members in Extra.
func (v *CacheControl) UnmarshalJSON(b []byte) error {
	type plain CacheControl
	var w plain
	extra, err := decodeObject(b, &w, fieldsCacheControl)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = CacheControl(w)
	return nil
}

// MarshalJSON encodes a CacheControl with its Extra members.
func (v CacheControl) MarshalJSON() ([]byte, error) {
	type plain CacheControl
	return encodeObject(plain(v), v.Extra, fieldsCacheControl)
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

// UnmarshalJSON decodes a OutputConfig, keeping unknown members in Extra.
func (v *OutputConfig) UnmarshalJSON(b []byte) error {
	type plain OutputConfig
	var w plain
	extra, err := decodeObject(b, &w, fieldsOutputConfig)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = OutputConfig(w)
	return nil
}

// MarshalJSON encodes a OutputConfig with its Extra members.
func (v OutputConfig) MarshalJSON() ([]byte, error) {
	type plain OutputConfig
	return encodeObject(plain(v), v.Extra, fieldsOutputConfig)
}

// UnmarshalJSON decodes a OutputFormat, keeping unknown members in Extra.
func (v *OutputFormat) UnmarshalJSON(b []byte) error {
	type plain OutputFormat
	var w plain
	extra, err := decodeObject(b, &w, fieldsOutputFormat)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = OutputFormat(w)
	return nil
}

// MarshalJSON encodes a OutputFormat with its Extra members.
func (v OutputFormat) MarshalJSON() ([]byte, error) {
	type plain OutputFormat
	return encodeObject(plain(v), v.Extra, fieldsOutputFormat)
}

// UnmarshalJSON decodes a MessagesResponse, keeping unknown members in Extra.
func (v *MessagesResponse) UnmarshalJSON(b []byte) error {
	type plain MessagesResponse
	var w plain
	extra, err := decodeObject(b, &w, fieldsMessagesResponse)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = MessagesResponse(w)
	return nil
}

// MarshalJSON encodes a MessagesResponse with its Extra members.
func (v MessagesResponse) MarshalJSON() ([]byte, error) {
	type plain MessagesResponse
	return encodeObject(plain(v), v.Extra, fieldsMessagesResponse)
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

// UnmarshalJSON decodes a CacheCreation, keeping unknown members in Extra.
func (v *CacheCreation) UnmarshalJSON(b []byte) error {
	type plain CacheCreation
	var w plain
	extra, err := decodeObject(b, &w, fieldsCacheCreation)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = CacheCreation(w)
	return nil
}

// MarshalJSON encodes a CacheCreation with its Extra members.
func (v CacheCreation) MarshalJSON() ([]byte, error) {
	type plain CacheCreation
	return encodeObject(plain(v), v.Extra, fieldsCacheCreation)
}

// UnmarshalJSON decodes a OutputTokensDetails, keeping unknown members in Extra.
func (v *OutputTokensDetails) UnmarshalJSON(b []byte) error {
	type plain OutputTokensDetails
	var w plain
	extra, err := decodeObject(b, &w, fieldsOutputTokensDetails)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = OutputTokensDetails(w)
	return nil
}

// MarshalJSON encodes a OutputTokensDetails with its Extra members.
func (v OutputTokensDetails) MarshalJSON() ([]byte, error) {
	type plain OutputTokensDetails
	return encodeObject(plain(v), v.Extra, fieldsOutputTokensDetails)
}

// UnmarshalJSON decodes a StreamEvent, keeping unknown members in Extra.
func (v *StreamEvent) UnmarshalJSON(b []byte) error {
	type plain StreamEvent
	var w plain
	extra, err := decodeObject(b, &w, fieldsStreamEvent)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = StreamEvent(w)
	return nil
}

// MarshalJSON encodes a StreamEvent with its Extra members.
func (v StreamEvent) MarshalJSON() ([]byte, error) {
	type plain StreamEvent
	return encodeObject(plain(v), v.Extra, fieldsStreamEvent)
}

// UnmarshalJSON decodes a EventDelta, keeping unknown members in Extra.
func (v *EventDelta) UnmarshalJSON(b []byte) error {
	type plain EventDelta
	var w plain
	extra, err := decodeObject(b, &w, fieldsEventDelta)
	if err != nil {
		return err
	}
	w.Extra = extra
	*v = EventDelta(w)
	return nil
}

// MarshalJSON encodes a EventDelta with its Extra members.
func (v EventDelta) MarshalJSON() ([]byte, error) {
	type plain EventDelta
	return encodeObject(plain(v), v.Extra, fieldsEventDelta)
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
