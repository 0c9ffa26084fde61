// Package jsonpos maps JSON pointers (RFC 6901) to positions in a JSON
// document's source text.
//
// JSON Schema validators such as santhosh-tekuri/jsonschema report errors by
// instance location (a JSON pointer); reftask reports file:line:col. Build
// scans the document once and records where every value and member key
// starts.
//
// Positions are 1-based. A line ends at '\n' (so CRLF line endings work; a
// lone '\r' does not start a new line). Columns count Unicode code points
// (runes), not bytes, from the start of the line; a tab counts as 1 and
// invalid UTF-8 counts 1 per byte. This matches how most editors and LSP
// clients using code-point columns address a position.
package jsonpos

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// maxDepth bounds nesting, as encoding/json does.
const maxDepth = 10000

// Index records the byte offset of every value in a JSON document, keyed by
// JSON pointer (RFC 6901 escaping: "~" is "~0", "/" is "~1"). The root is "".
//
// If an object has duplicate keys the last one wins (as with encoding/json
// decoding into a map): the pointer and everything below it refer to the
// last occurrence. Duplicates lists them.
//
// Build checks the document; the pointers are indexed on the first lookup
// and kept until Compact, so that a program holding many documents pays for
// the pointers of those it looks into, while it looks (they take several
// times the document's size). An Index is safe for concurrent use.
type Index struct {
	data       []byte
	depth      int
	lineStarts []int // byte offset at which each line starts
	// runeMarks count the runes before a rune start every runeMarkEvery
	// bytes or so, so that a column costs the same on a minified
	// document's one long line as on a short one.
	runeMarks []runeMark
	dups      []Duplicate
	// mu guards ptrs, which is nil until a lookup needs it and after Compact.
	mu   sync.Mutex
	ptrs *pointers
}

// pointers are the offsets of a document's values and member keys, by
// pointer; immutable once built.
type pointers struct {
	values map[string]int // pointer -> byte offset of the value's first byte
	keys   map[string]int // pointer -> byte offset of the member key's opening quote
}

// Compact drops the pointers until the next lookup, which indexes the
// document again.
func (ix *Index) Compact() {
	ix.mu.Lock()
	ix.ptrs = nil
	ix.mu.Unlock()
}

// pointers returns the document's pointers, indexing them if needed. The
// document was checked by BuildDepth, so indexing it again cannot fail.
func (ix *Index) pointers() *pointers {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.ptrs == nil {
		p := &pointers{values: make(map[string]int), keys: make(map[string]int)}
		s := &scanner{data: ix.data, ix: ix, maxDepth: ix.depth, ptrs: p}
		s.skipSpace()
		if err := s.value("", 0); err != nil {
			panic(fmt.Sprintf("jsonpos: a checked document failed to index: %v", err))
		}
		ix.ptrs = p
	}
	return ix.ptrs
}

// Duplicate is a key that an object repeats: Pointer is the member, Offset
// the repeated key's opening quote and First the earlier one's.
type Duplicate struct {
	Pointer       string
	Offset, First int
}

// Duplicates returns the repeated keys, in document order. JSON readers
// disagree on which of two equal keys counts, so a caller that must not
// guess rejects the document.
func (ix *Index) Duplicates() []Duplicate { return ix.dups }

// LineCol returns the 1-based line and column of a byte offset of the document.
func (ix *Index) LineCol(offset int) (line, col int) { return ix.lineCol(offset) }

// SyntaxError reports invalid JSON at a 1-based Line and Col (see the
// package doc for how columns are counted).
type SyntaxError struct {
	Line, Col int
	Offset    int // byte offset of the error
	Msg       string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg)
}

// Build indexes data, which must hold exactly one JSON value, optionally
// surrounded by whitespace. On invalid JSON it returns a *SyntaxError.
func Build(data []byte) (*Index, error) {
	return BuildDepth(data, maxDepth)
}

// BuildDepth is Build with a tighter bound on nesting: a document with
// objects and arrays nested more than depth levels is a *SyntaxError at the
// value that goes too deep. The index holds a pointer per value, each as
// long as its depth, so the bound keeps the index linear in the document.
func BuildDepth(data []byte, depth int) (*Index, error) {
	ix := &Index{
		data:       data,
		depth:      min(depth, maxDepth),
		lineStarts: lineStarts(data),
		runeMarks:  runeMarks(data),
	}
	s := &scanner{data: data, ix: ix, maxDepth: ix.depth}
	s.skipSpace()
	if err := s.value("", 0); err != nil {
		return nil, err
	}
	s.skipSpace()
	if s.pos < len(data) {
		return nil, s.errorf(s.pos, "invalid character %s after top-level value", s.describe(s.pos))
	}
	return ix, nil
}

// Pos returns the 1-based line and column where the value at pointer starts.
// If pointer is not present in the document, it returns the position of its
// longest present prefix, so that an error about a missing member points at
// the enclosing object or array. "" is the document root.
//
// Pointers are RFC 6901 pointers. Pointers that are additionally
// percent-encoded, as santhosh-tekuri/jsonschema's InstanceLocation is
// (for example "/a%20b" for key "a b"), are accepted too: the pointer is
// looked up as given first, then percent-decoded.
func (ix *Index) Pos(pointer string) (line, col int) {
	values := ix.pointers().values
	p := pointer
	for {
		if off, ok := ix.lookup(values, p); ok {
			return ix.lineCol(off)
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			break
		}
		p = p[:i]
	}
	// Not even the root matched (pointer lacking its leading "/"): the root.
	return ix.lineCol(values[""])
}

// KeyPos returns the 1-based position of the opening quote of the key of
// the object member at pointer, for errors about a key itself (e.g. an
// unknown property). ok is false if pointer does not name a present object
// member (the root, array elements, and absent members have no key).
func (ix *Index) KeyPos(pointer string) (line, col int, ok bool) {
	off, ok := ix.lookup(ix.pointers().keys, pointer)
	if !ok {
		return 0, 0, false
	}
	line, col = ix.lineCol(off)
	return line, col, true
}

// Offset returns the byte offset where the value at pointer starts, and
// whether it is present (no prefix fallback).
func (ix *Index) Offset(pointer string) (offset int, ok bool) {
	return ix.lookup(ix.pointers().values, pointer)
}

func (ix *Index) lookup(m map[string]int, pointer string) (int, bool) {
	if off, ok := m[pointer]; ok {
		return off, true
	}
	if strings.IndexByte(pointer, '%') >= 0 {
		if p, err := url.PathUnescape(pointer); err == nil && p != pointer {
			off, ok := m[p]
			return off, ok
		}
	}
	return 0, false
}

func (ix *Index) lineCol(offset int) (line, col int) {
	if offset > len(ix.data) {
		offset = len(ix.data)
	}
	if offset < 0 {
		offset = 0
	}
	i := sort.SearchInts(ix.lineStarts, offset+1) - 1
	return i + 1, 1 + ix.runesBefore(offset) - ix.runesBefore(ix.lineStarts[i])
}

// runeMarkEvery is the spacing of the rune count marks, in bytes.
const runeMarkEvery = 512

type runeMark struct{ offset, runes int }

// runeMarks decodes data once, as utf8.RuneCount does, and records the
// count at the first rune start at or after every runeMarkEvery bytes.
func runeMarks(data []byte) []runeMark {
	marks := make([]runeMark, 0, 1+len(data)/runeMarkEvery)
	next, runes := 0, 0
	for i := 0; i < len(data); runes++ {
		if i >= next {
			marks = append(marks, runeMark{i, runes})
			next = i + runeMarkEvery
		}
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, size := utf8.DecodeRune(data[i:])
		i += size
	}
	return marks
}

// runesBefore counts the runes in data[:offset]; offset is a rune start
// (the start of a value, a key or a line).
func (ix *Index) runesBefore(offset int) int {
	k := sort.Search(len(ix.runeMarks), func(k int) bool { return ix.runeMarks[k].offset > offset }) - 1
	if k < 0 {
		return utf8.RuneCount(ix.data[:offset])
	}
	m := ix.runeMarks[k]
	return m.runes + utf8.RuneCount(ix.data[m.offset:offset])
}

// LineCol converts a byte offset in data to a 1-based line and column.
// Columns count runes (tabs count 1); see the package doc. An offset at or
// past the end of data gives the position just after the last byte.
func LineCol(data []byte, offset int) (line, col int) {
	if offset > len(data) {
		offset = len(data)
	}
	if offset < 0 {
		offset = 0
	}
	start := 0
	if i := lastIndexByte(data[:offset], '\n'); i >= 0 {
		start = i + 1
	}
	line = 1 + countByte(data[:start], '\n')
	return line, 1 + utf8.RuneCount(data[start:offset])
}

func lineStarts(data []byte) []int {
	starts := make([]int, 1, 1+len(data)/32)
	for i, b := range data {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

func lastIndexByte(b []byte, c byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == c {
			return i
		}
	}
	return -1
}

func countByte(b []byte, c byte) int {
	n := 0
	for _, x := range b {
		if x == c {
			n++
		}
	}
	return n
}

// escapeToken escapes a member name for use as a JSON pointer token.
func escapeToken(s string) string {
	if strings.IndexAny(s, "~/") < 0 {
		return s
	}
	s = strings.ReplaceAll(s, "~", "~0")
	return strings.ReplaceAll(s, "/", "~1")
}

// A scanner checks a document (ptrs nil: syntax, nesting and duplicate
// keys, which it records in ix) or indexes a checked one into ptrs.
type scanner struct {
	data     []byte
	pos      int
	ix       *Index
	maxDepth int
	ptrs     *pointers
	// path holds the escaped tokens of the value being scanned, for the
	// pointer of a duplicate key when checking.
	path []string
}

func (s *scanner) errorf(offset int, format string, args ...any) *SyntaxError {
	line, col := s.ix.lineCol(offset)
	return &SyntaxError{Line: line, Col: col, Offset: offset, Msg: fmt.Sprintf(format, args...)}
}

func (s *scanner) eof() *SyntaxError {
	return s.errorf(len(s.data), "unexpected end of JSON input")
}

// describe quotes the character at offset for an error message.
func (s *scanner) describe(offset int) string {
	r, size := utf8.DecodeRune(s.data[offset:])
	if r == utf8.RuneError && size <= 1 {
		return fmt.Sprintf("byte 0x%02x", s.data[offset])
	}
	if r == '\'' {
		return `'\''`
	}
	if r == '"' {
		return `'"'`
	}
	return strconv.QuoteRune(r)
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// value scans the value starting at s.pos (whitespace already skipped) and,
// when indexing, records it under ptr ("" when checking).
func (s *scanner) value(ptr string, depth int) error {
	if s.pos >= len(s.data) {
		return s.eof()
	}
	if s.ptrs != nil {
		s.ptrs.values[ptr] = s.pos
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		return s.object(ptr, depth+1)
	case c == '[':
		return s.array(ptr, depth+1)
	case c == '"':
		_, err := s.str(false)
		return err
	case c == '-' || ('0' <= c && c <= '9'):
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	default:
		return s.errorf(s.pos, "invalid character %s looking for beginning of value", s.describe(s.pos))
	}
}

func (s *scanner) object(ptr string, depth int) error {
	if depth > s.maxDepth {
		return s.errorf(s.pos, "nested deeper than %d levels", s.maxDepth)
	}
	s.pos++ // '{'
	s.skipSpace()
	if s.pos >= len(s.data) {
		return s.eof()
	}
	if s.data[s.pos] == '}' {
		s.pos++
		return nil
	}
	// seen holds each key's latest offset in this object, for duplicates.
	var seen map[string]int
	if s.ptrs == nil {
		seen = make(map[string]int)
	}
	for {
		if s.pos >= len(s.data) {
			return s.eof()
		}
		if s.data[s.pos] != '"' {
			return s.errorf(s.pos, "invalid character %s looking for beginning of object key string", s.describe(s.pos))
		}
		keyOff := s.pos
		key, err := s.str(true)
		if err != nil {
			return err
		}
		tok := escapeToken(key)
		child := ""
		if s.ptrs != nil {
			child = ptr + "/" + tok
			s.forget(child) // a duplicate key replaces what the earlier one held
			s.ptrs.keys[child] = keyOff
		} else {
			if first, ok := seen[key]; ok {
				s.ix.dups = append(s.ix.dups, Duplicate{Pointer: s.pointer(tok), Offset: keyOff, First: first})
			}
			seen[key] = keyOff
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return s.eof()
		}
		if s.data[s.pos] != ':' {
			return s.errorf(s.pos, "invalid character %s after object key", s.describe(s.pos))
		}
		s.pos++
		s.skipSpace()
		s.path = append(s.path, tok)
		if err := s.value(child, depth); err != nil {
			return err
		}
		s.path = s.path[:len(s.path)-1]
		s.skipSpace()
		if s.pos >= len(s.data) {
			return s.eof()
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
			s.skipSpace()
		case '}':
			s.pos++
			return nil
		default:
			return s.errorf(s.pos, "invalid character %s after object key:value pair", s.describe(s.pos))
		}
	}
}

// pointer is the pointer of the member tok of the object being checked.
func (s *scanner) pointer(tok string) string {
	var b strings.Builder
	for _, t := range s.path {
		b.WriteString("/" + t)
	}
	return b.String() + "/" + tok
}

// forget drops ptr and everything below it when ptr is indexed already: a
// duplicate key is about to replace it. Only documents with duplicate keys
// (which Build reports) reach the loops.
func (s *scanner) forget(ptr string) {
	if _, ok := s.ptrs.keys[ptr]; !ok {
		return
	}
	delete(s.ptrs.values, ptr)
	delete(s.ptrs.keys, ptr)
	prefix := ptr + "/"
	for k := range s.ptrs.values {
		if strings.HasPrefix(k, prefix) {
			delete(s.ptrs.values, k)
		}
	}
	for k := range s.ptrs.keys {
		if strings.HasPrefix(k, prefix) {
			delete(s.ptrs.keys, k)
		}
	}
}

func (s *scanner) array(ptr string, depth int) error {
	if depth > s.maxDepth {
		return s.errorf(s.pos, "nested deeper than %d levels", s.maxDepth)
	}
	s.pos++ // '['
	s.skipSpace()
	if s.pos >= len(s.data) {
		return s.eof()
	}
	if s.data[s.pos] == ']' {
		s.pos++
		return nil
	}
	for i := 0; ; i++ {
		tok, child := strconv.Itoa(i), ""
		if s.ptrs != nil {
			child = ptr + "/" + tok
		}
		s.path = append(s.path, tok)
		if err := s.value(child, depth); err != nil {
			return err
		}
		s.path = s.path[:len(s.path)-1]
		s.skipSpace()
		if s.pos >= len(s.data) {
			return s.eof()
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
			s.skipSpace()
		case ']':
			s.pos++
			return nil
		default:
			return s.errorf(s.pos, "invalid character %s after array element", s.describe(s.pos))
		}
	}
}

func (s *scanner) literal(lit string) error {
	for i := 0; i < len(lit); i++ {
		if s.pos >= len(s.data) {
			return s.eof()
		}
		if s.data[s.pos] != lit[i] {
			return s.errorf(s.pos, "invalid character %s in literal %s (expecting %q)", s.describe(s.pos), lit, lit[i])
		}
		s.pos++
	}
	return nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func (s *scanner) number() error {
	d := s.data
	if d[s.pos] == '-' {
		s.pos++
		if s.pos >= len(d) {
			return s.eof()
		}
		if !isDigit(d[s.pos]) {
			return s.errorf(s.pos, "invalid character %s in numeric literal", s.describe(s.pos))
		}
	}
	if d[s.pos] == '0' {
		s.pos++
	} else {
		for s.pos < len(d) && isDigit(d[s.pos]) {
			s.pos++
		}
	}
	if s.pos < len(d) && d[s.pos] == '.' {
		s.pos++
		if s.pos >= len(d) {
			return s.eof()
		}
		if !isDigit(d[s.pos]) {
			return s.errorf(s.pos, "invalid character %s after decimal point in numeric literal", s.describe(s.pos))
		}
		for s.pos < len(d) && isDigit(d[s.pos]) {
			s.pos++
		}
	}
	if s.pos < len(d) && (d[s.pos] == 'e' || d[s.pos] == 'E') {
		s.pos++
		if s.pos < len(d) && (d[s.pos] == '+' || d[s.pos] == '-') {
			s.pos++
		}
		if s.pos >= len(d) {
			return s.eof()
		}
		if !isDigit(d[s.pos]) {
			return s.errorf(s.pos, "invalid character %s in exponent of numeric literal", s.describe(s.pos))
		}
		for s.pos < len(d) && isDigit(d[s.pos]) {
			s.pos++
		}
	}
	return nil
}

// str scans a string starting at the opening quote at s.pos. If decode is
// set it returns the decoded value (with encoding/json's semantics: invalid
// UTF-8 and unpaired surrogates become U+FFFD).
func (s *scanner) str(decode bool) (string, error) {
	d := s.data
	start := s.pos
	s.pos++ // opening quote
	simple := true
	for {
		if s.pos >= len(d) {
			return "", s.eof()
		}
		c := d[s.pos]
		switch {
		case c == '"':
			s.pos++
			if !decode {
				return "", nil
			}
			raw := d[start+1 : s.pos-1]
			if simple && utf8.Valid(raw) {
				return string(raw), nil
			}
			var v string
			if err := json.Unmarshal(d[start:s.pos], &v); err != nil {
				// Unreachable: the string was validated above.
				return "", s.errorf(start, "invalid string: %v", err)
			}
			return v, nil
		case c == '\\':
			simple = false
			s.pos++
			if s.pos >= len(d) {
				return "", s.eof()
			}
			switch d[s.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos++
			case 'u':
				s.pos++
				for i := 0; i < 4; i++ {
					if s.pos >= len(d) {
						return "", s.eof()
					}
					if !isHex(d[s.pos]) {
						return "", s.errorf(s.pos, "invalid character %s in \\u hexadecimal character escape", s.describe(s.pos))
					}
					s.pos++
				}
			default:
				return "", s.errorf(s.pos, "invalid character %s in string escape code", s.describe(s.pos))
			}
		case c < 0x20:
			return "", s.errorf(s.pos, "invalid character %s in string literal", s.describe(s.pos))
		default:
			s.pos++
		}
	}
}

func isHex(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}
