package wire_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal/internal/wire"
)

// thing is a wire type as the adapters declare them.
type thing struct {
	Name   string   `json:"name"`
	Count  *int64   `json:"count,omitempty"`
	Inner  *inner   `json:"inner,omitempty"`
	Tags   []string `json:"tags,omitempty"`
	Plain  int      `json:",omitempty"` // named after the field
	Hidden string   `json:"-"`
	//lint:ignore U1000 an unexported field that FieldsOf must skip
	lower int

	Extra map[string]json.RawMessage `json:"-"`
}

type inner struct {
	Text string `json:"text"`

	Extra map[string]json.RawMessage `json:"-"`
}

var (
	fieldsThing = wire.FieldsOf[thing]()
	fieldsInner = wire.FieldsOf[inner]()
)

func (v *thing) UnmarshalJSON(b []byte) error {
	type plain thing
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsThing)
}

func (v thing) MarshalJSON() ([]byte, error) {
	type plain thing
	return wire.Marshal(plain(v), v.Extra, fieldsThing)
}

func (v *inner) UnmarshalJSON(b []byte) error {
	type plain inner
	return wire.Unmarshal(b, (*plain)(v), &v.Extra, fieldsInner)
}

func (v inner) MarshalJSON() ([]byte, error) {
	type plain inner
	return wire.Marshal(plain(v), v.Extra, fieldsInner)
}

func TestUnknownMembersRoundTrip(t *testing.T) {
	in := `{"name":"a","seed":42,"inner":{"text":"t","x_future":[1,{"k":"}"}]},"weird\"key":"esc","nested":{"a":[{"b":null}]},"Plain":3,"flag":true,"n":-1.5e3}`
	var v thing
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	wantExtra := map[string]json.RawMessage{
		"seed": json.RawMessage(`42`), `weird"key`: json.RawMessage(`"esc"`), "nested": json.RawMessage(`{"a":[{"b":null}]}`),
		"flag": json.RawMessage(`true`), "n": json.RawMessage(`-1.5e3`),
	}
	if v.Name != "a" || v.Plain != 3 || !reflect.DeepEqual(v.Extra, wantExtra) {
		t.Errorf("decoded %+v", v)
	}
	if got := string(v.Inner.Extra["x_future"]); got != `[1,{"k":"}"}]` || v.Inner.Text != "t" {
		t.Errorf("inner %+v", v.Inner)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	// Modelled members in field order, then the extra ones sorted.
	want := `{"name":"a","inner":{"text":"t","x_future":[1,{"k":"}"}]},"Plain":3,"flag":true,"n":-1.5e3,"nested":{"a":[{"b":null}]},"seed":42,"weird\"key":"esc"}`
	if string(out) != want {
		t.Errorf("encoded\n got %s\nwant %s", out, want)
	}
}

// encoding/json matches member names case-insensitively; a member it
// decoded into a field is not kept again as extra.
func TestModelledNamesMatchCaseInsensitively(t *testing.T) {
	var v thing
	if err := json.Unmarshal([]byte(`{"NAME":"a","plain":2,"Hidden":"h","lower":1}`), &v); err != nil {
		t.Fatal(err)
	}
	want := map[string]json.RawMessage{"Hidden": json.RawMessage(`"h"`), "lower": json.RawMessage(`1`)}
	if v.Name != "a" || v.Plain != 2 || v.Hidden != "" || !reflect.DeepEqual(v.Extra, want) {
		t.Errorf("decoded %+v", v)
	}
}

func TestNoExtraIsNil(t *testing.T) {
	for _, in := range []string{`{"name":"a"}`, `{}`, ` { } `, `null`} {
		v := thing{Extra: map[string]json.RawMessage{"stale": json.RawMessage(`1`)}, Name: "stale"}
		if err := json.Unmarshal([]byte(in), &v); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if in == `null` {
			// encoding/json does not call UnmarshalJSON for null.
			continue
		}
		if v.Extra != nil || (in != `{"name":"a"}` && v.Name != "") {
			t.Errorf("%s: decoded %+v; a decode replaces the whole value", in, v)
		}
	}
}

func TestDecodeErrorLeavesValue(t *testing.T) {
	for _, in := range []string{`{"name":1}`, `{"name":"a",`, `[1]`, `"s"`} {
		v := thing{Name: "kept", Extra: map[string]json.RawMessage{"k": json.RawMessage(`1`)}}
		if err := json.Unmarshal([]byte(in), &v); err == nil {
			t.Errorf("%s decoded", in)
		}
		if v.Name != "kept" || string(v.Extra["k"]) != "1" {
			t.Errorf("%s: value changed to %+v", in, v)
		}
	}
}

func TestExtraCannotShadowModelledFields(t *testing.T) {
	v := thing{Name: "m", Extra: map[string]json.RawMessage{"name": json.RawMessage(`"evil"`), "NAME": json.RawMessage(`"evil"`), "seed": json.RawMessage(`1`)}}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `{"name":"m","seed":1}` {
		t.Errorf("out = %s", out)
	}
	v.Extra = map[string]json.RawMessage{"name": json.RawMessage(`"evil"`)}
	if out, _ := json.Marshal(v); string(out) != `{"name":"m"}` {
		t.Errorf("out = %s", out)
	}
}

func TestMarshalErrors(t *testing.T) {
	v := thing{Extra: map[string]json.RawMessage{"bad": json.RawMessage(`{`)}}
	if _, err := json.Marshal(v); err == nil || !strings.Contains(err.Error(), "bad") {
		t.Errorf("invalid extra JSON: err = %v", err)
	}
	if _, err := wire.Marshal([]int{1}, map[string]json.RawMessage{"a": json.RawMessage(`1`)}, fieldsThing); err == nil {
		t.Error("extra members on an array marshalled")
	}
	// An empty object gets its members without a leading comma.
	out, err := wire.Marshal(struct{}{}, map[string]json.RawMessage{"b": json.RawMessage(`2`), "a": json.RawMessage(`1`)}, fieldsThing)
	if err != nil || string(out) != `{"a":1,"b":2}` {
		t.Errorf("out = %s, %v", out, err)
	}
}

func TestString(t *testing.T) {
	for in, want := range map[string]string{"": `""`, "a\"b\n": `"a\"b\n"`, "<é>": `"\u003cé\u003e"`} {
		if got := string(wire.String(in)); got != want {
			t.Errorf("String(%q) = %s, want %s", in, got, want)
		}
	}
}

// FuzzRoundTrip: whatever decodes re-encodes to JSON that decodes again,
// and from then on the encoding is stable (the first one may replace
// invalid UTF-8 in member names, as encoding/json does).
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte(`{"name":"a","seed":42,"inner":{"text":"t","x":[1,{"k":"}"}]},"weird\"key":"esc"}`))
	f.Add([]byte(`{"NAME":"a","\u006eame":"b","tags":["x"],"count":3,"e":{}}`))
	f.Add([]byte(` {"a" : "\\" , "b":[[]] } `))
	f.Fuzz(func(t *testing.T, b []byte) {
		var v thing
		if json.Unmarshal(b, &v) != nil {
			return
		}
		out, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("re-encode %+v: %v", v, err)
		}
		var again thing
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("re-decode %s: %v", out, err)
		}
		out2, err := json.Marshal(again)
		if err != nil {
			t.Fatalf("re-encode %+v: %v", again, err)
		}
		var third thing
		if err := json.Unmarshal(out2, &third); err != nil {
			t.Fatalf("re-decode %s: %v", out2, err)
		}
		if out3, err := json.Marshal(third); err != nil || !bytes.Equal(out2, out3) {
			t.Fatalf("not stable:\n%s\n%s (%v)", out2, out3, err)
		}
	})
}

func BenchmarkUnmarshal(b *testing.B) {
	in := []byte(`{"name":"a","count":3,"inner":{"text":"t"},"tags":["x","y"],"seed":42,"metadata":{"k":"v"}}`)
	b.ReportAllocs()
	for b.Loop() {
		var v thing
		if err := json.Unmarshal(in, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshal(b *testing.B) {
	n := int64(3)
	v := thing{Name: "a", Count: &n, Inner: &inner{Text: "t"}, Tags: []string{"x", "y"},
		Extra: map[string]json.RawMessage{"seed": json.RawMessage(`42`), "metadata": json.RawMessage(`{"k":"v"}`)}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(v); err != nil {
			b.Fatal(err)
		}
	}
}
