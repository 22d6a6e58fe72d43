package anthropic

// JSON methods of the wire types: decode the modelled members, keep the
// others in Extra, and write both back (see internal/wire). Every wire type
// is listed here.

import "github.com/frugal-dev/frugal/internal/wire"

var (
	fieldsMessagesRequest     = wire.FieldsOf[MessagesRequest]()
	fieldsMessage             = wire.FieldsOf[Message]()
	fieldsContentBlock        = wire.FieldsOf[ContentBlock]()
	fieldsCacheControl        = wire.FieldsOf[CacheControl]()
	fieldsTool                = wire.FieldsOf[Tool]()
	fieldsOutputConfig        = wire.FieldsOf[OutputConfig]()
	fieldsOutputFormat        = wire.FieldsOf[OutputFormat]()
	fieldsMessagesResponse    = wire.FieldsOf[MessagesResponse]()
	fieldsUsage               = wire.FieldsOf[Usage]()
	fieldsCacheCreation       = wire.FieldsOf[CacheCreation]()
	fieldsOutputTokensDetails = wire.FieldsOf[OutputTokensDetails]()
	fieldsStreamEvent         = wire.FieldsOf[StreamEvent]()
	fieldsEventDelta          = wire.FieldsOf[EventDelta]()
	fieldsErrorDetail         = wire.FieldsOf[ErrorDetail]()
)

// UnmarshalJSON decodes a MessagesRequest, keeping unknown members in Extra.
func (v *MessagesRequest) UnmarshalJSON(b []byte) error {
	type plain MessagesRequest
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsMessagesRequest)
}

// MarshalJSON encodes a MessagesRequest with its Extra members.
func (v MessagesRequest) MarshalJSON() ([]byte, error) {
	type plain MessagesRequest
	return wire.Marshal(plain(v), v.Extra, fieldsMessagesRequest)
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

// UnmarshalJSON decodes a ContentBlock, keeping unknown members in Extra.
func (v *ContentBlock) UnmarshalJSON(b []byte) error {
	type plain ContentBlock
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsContentBlock)
}

// MarshalJSON encodes a ContentBlock with its Extra members.
func (v ContentBlock) MarshalJSON() ([]byte, error) {
	type plain ContentBlock
	return wire.Marshal(plain(v), v.Extra, fieldsContentBlock)
}

// UnmarshalJSON decodes a CacheControl, keeping unknown members in Extra.
func (v *CacheControl) UnmarshalJSON(b []byte) error {
	type plain CacheControl
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsCacheControl)
}

// MarshalJSON encodes a CacheControl with its Extra members.
func (v CacheControl) MarshalJSON() ([]byte, error) {
	type plain CacheControl
	return wire.Marshal(plain(v), v.Extra, fieldsCacheControl)
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

// UnmarshalJSON decodes a OutputConfig, keeping unknown members in Extra.
func (v *OutputConfig) UnmarshalJSON(b []byte) error {
	type plain OutputConfig
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsOutputConfig)
}

// MarshalJSON encodes a OutputConfig with its Extra members.
func (v OutputConfig) MarshalJSON() ([]byte, error) {
	type plain OutputConfig
	return wire.Marshal(plain(v), v.Extra, fieldsOutputConfig)
}

// UnmarshalJSON decodes a OutputFormat, keeping unknown members in Extra.
func (v *OutputFormat) UnmarshalJSON(b []byte) error {
	type plain OutputFormat
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsOutputFormat)
}

// MarshalJSON encodes a OutputFormat with its Extra members.
func (v OutputFormat) MarshalJSON() ([]byte, error) {
	type plain OutputFormat
	return wire.Marshal(plain(v), v.Extra, fieldsOutputFormat)
}

// UnmarshalJSON decodes a MessagesResponse, keeping unknown members in Extra.
func (v *MessagesResponse) UnmarshalJSON(b []byte) error {
	type plain MessagesResponse
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsMessagesResponse)
}

// MarshalJSON encodes a MessagesResponse with its Extra members.
func (v MessagesResponse) MarshalJSON() ([]byte, error) {
	type plain MessagesResponse
	return wire.Marshal(plain(v), v.Extra, fieldsMessagesResponse)
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

// UnmarshalJSON decodes a CacheCreation, keeping unknown members in Extra.
func (v *CacheCreation) UnmarshalJSON(b []byte) error {
	type plain CacheCreation
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsCacheCreation)
}

// MarshalJSON encodes a CacheCreation with its Extra members.
func (v CacheCreation) MarshalJSON() ([]byte, error) {
	type plain CacheCreation
	return wire.Marshal(plain(v), v.Extra, fieldsCacheCreation)
}

// UnmarshalJSON decodes a OutputTokensDetails, keeping unknown members in Extra.
func (v *OutputTokensDetails) UnmarshalJSON(b []byte) error {
	type plain OutputTokensDetails
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsOutputTokensDetails)
}

// MarshalJSON encodes a OutputTokensDetails with its Extra members.
func (v OutputTokensDetails) MarshalJSON() ([]byte, error) {
	type plain OutputTokensDetails
	return wire.Marshal(plain(v), v.Extra, fieldsOutputTokensDetails)
}

// UnmarshalJSON decodes a StreamEvent, keeping unknown members in Extra.
func (v *StreamEvent) UnmarshalJSON(b []byte) error {
	type plain StreamEvent
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsStreamEvent)
}

// MarshalJSON encodes a StreamEvent with its Extra members.
func (v StreamEvent) MarshalJSON() ([]byte, error) {
	type plain StreamEvent
	return wire.Marshal(plain(v), v.Extra, fieldsStreamEvent)
}

// UnmarshalJSON decodes a EventDelta, keeping unknown members in Extra.
func (v *EventDelta) UnmarshalJSON(b []byte) error {
	type plain EventDelta
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsEventDelta)
}

// MarshalJSON encodes a EventDelta with its Extra members.
func (v EventDelta) MarshalJSON() ([]byte, error) {
	type plain EventDelta
	return wire.Marshal(plain(v), v.Extra, fieldsEventDelta)
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
