// Package tokenizer counts tokens offline with OpenAI's o200k_base encoding
// and estimates, as an upper bound, the input tokens a provider bills for a
// frugal.Request. It is the only package that imports tiktoken-go; the sim
// servers count with the same functions and framing constants, so the
// estimate bounds what they report.
package tokenizer

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	tiktoken "github.com/pkoukk/tiktoken-go"
	loader "github.com/pkoukk/tiktoken-go-loader"
)

// Encoding is the name of the encoding every count uses.
const Encoding = "o200k_base"

// maxRun bounds a run of letters, spaces or punctuation fed to the BPE in
// one piece. tiktoken's merge loop is quadratic in the length of a piece, so
// a 100 KB word would take minutes; cutting such runs keeps counting linear.
// Runs this long never occur in prose or code, so ordinary text counts
// exactly as OpenAI counts it.
const maxRun = 256

var encoder = sync.OnceValue(func() *tiktoken.Tiktoken {
	tiktoken.SetBpeLoader(loader.NewOfflineLoader())
	enc, err := tiktoken.GetEncoding(Encoding)
	if err != nil {
		// The ranks are embedded in the binary: failing here is a build
		// defect, not a runtime condition.
		panic("tokenizer: loading embedded " + Encoding + ": " + err.Error())
	}
	return enc
})

// Count returns the number of o200k_base tokens in text. Special-token
// markers such as "<|endoftext|>" count as ordinary text, as they do when a
// user sends them to a provider. Count is safe for concurrent use; the first
// call loads the embedded encoding (about a quarter of a second).
func Count(text string) int {
	if text == "" {
		return 0
	}
	if len(text) == 1 && text[0] < utf8.RuneSelf {
		return 1 // every single byte is a token of its own
	}
	if len(text) >= memoMinBytes {
		return len(memoEncode(text))
	}
	return len(encode(text))
}

// Encode returns the o200k_base token IDs of text, split the same way as
// Count (len(Encode(s)) == Count(s)).
func Encode(text string) []int {
	if text == "" {
		return nil
	}
	if len(text) >= memoMinBytes {
		return slices.Clone(memoEncode(text))
	}
	return encode(text)
}

func encode(text string) []int {
	enc := encoder()
	var ids []int
	for chunk := range chunks(text) {
		ids = append(ids, enc.EncodeOrdinary(chunk)...)
	}
	return ids
}

// Long texts recur from call to call (system prompts, tool schemas, files
// read by tools), so their token IDs are remembered: up to memoBudget bytes
// of text and IDs, oldest out first.
const (
	memoMinBytes = 2 << 10
	memoBudget   = 32 << 20
)

var memo struct {
	sync.Mutex
	ids   map[string][]int
	order []string
	size  int
}

func memoEncode(text string) []int {
	memo.Lock()
	ids, ok := memo.ids[text]
	memo.Unlock()
	if ok {
		return ids
	}
	ids = encode(text)
	cost := len(text) + 8*len(ids)
	if cost > memoBudget/4 {
		return ids
	}
	memo.Lock()
	defer memo.Unlock()
	if _, ok := memo.ids[text]; ok {
		return ids
	}
	if memo.ids == nil {
		memo.ids = map[string][]int{}
	}
	for memo.size+cost > memoBudget && len(memo.order) > 0 {
		old := memo.order[0]
		memo.order = memo.order[1:]
		memo.size -= len(old) + 8*len(memo.ids[old])
		delete(memo.ids, old)
	}
	memo.ids[text] = ids
	memo.order = append(memo.order, text)
	memo.size += cost
	return ids
}

// Truncate returns the longest prefix of text made of its first maxTokens
// tokens, cut back to a whole UTF-8 character. It returns text unchanged
// when it has no more than maxTokens tokens, and "" when maxTokens <= 0.
func Truncate(text string, maxTokens int) string {
	if maxTokens <= 0 {
		return ""
	}
	ids := Encode(text)
	if len(ids) <= maxTokens {
		return text
	}
	s := encoder().Decode(ids[:maxTokens])
	// A token may end inside a multi-byte character; drop the broken tail.
	for len(s) > 0 {
		r, size := utf8.DecodeLastRuneInString(s)
		if r != utf8.RuneError || size > 1 {
			break
		}
		s = s[:len(s)-1]
	}
	if !strings.HasPrefix(text, s) {
		// Decoding never invents bytes, but stay safe for odd input.
		return text[:min(len(s), len(text))]
	}
	return s
}

// CountJSON counts the tokens of a JSON value in its compact form, so that
// the same value costs the same however it was indented. Invalid JSON is
// counted as plain text.
func CountJSON(raw []byte) int {
	if len(raw) == 0 {
		return 0
	}
	return Count(CompactJSON(raw))
}

// CompactJSON returns raw in compact form, or raw itself when it is not
// valid JSON.
func CompactJSON(raw []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return string(raw)
	}
	return buf.String()
}

// runClass sorts characters into the classes whose long runs the BPE would
// see as one piece.
func runClass(r rune) int {
	switch {
	case unicode.IsLetter(r) || unicode.IsMark(r):
		return 1
	case unicode.IsSpace(r):
		return 2
	case unicode.IsNumber(r):
		return 3 // numbers split every 3 digits by themselves
	default:
		return 4
	}
}

// chunks yields text in pieces that are encoded independently: the whole
// text unless it holds a run of more than maxRun characters of one class,
// which is cut there.
func chunks(text string) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		start, runLen, class := 0, 0, 0
		for i, r := range text {
			c := runClass(r)
			if c == class && c != 3 {
				runLen++
			} else {
				class, runLen = c, 1
			}
			if runLen > maxRun {
				if !yield(text[start:i]) {
					return
				}
				start, runLen = i, 1
			}
		}
		if start < len(text) {
			yield(text[start:])
		}
	}
}
