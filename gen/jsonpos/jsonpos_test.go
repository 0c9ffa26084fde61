package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

type pos struct{ line, col int }

func TestPos(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want map[string]pos // pointer -> Pos
	}{
		{
			name: "scalar root",
			doc:  "  42 ",
			want: map[string]pos{"": {1, 3}, "/x": {1, 3}},
		},
		{
			name: "nested",
			doc: `{
  "a": 1,
  "b": {"c": [10, {"d": null}], "e": true},
  "f": [[1, 2], [3]]
}`,
			want: map[string]pos{
				"":           {1, 1},
				"/a":         {2, 8},
				"/b":         {3, 8},
				"/b/c":       {3, 14},
				"/b/c/0":     {3, 15},
				"/b/c/1":     {3, 19},
				"/b/c/1/d":   {3, 25},
				"/b/e":       {3, 38},
				"/f":         {4, 8},
				"/f/0":       {4, 9},
				"/f/0/1":     {4, 13},
				"/f/1":       {4, 17},
				"/f/1/0":     {4, 18},
				"/missing":   {1, 1},  // absent: the root
				"/b/missing": {3, 8},  // absent: enclosing object
				"/b/c/7":     {3, 14}, // absent index: enclosing array
				"/b/c/1/d/z": {3, 25}, // below a scalar
				"/b/c/1/x/y": {3, 19},
			},
		},
		{
			name: "escaped keys",
			doc:  `{"a/b": 1, "m~n": 2, "~/": {"x": 3}, "": 4, "a b": 5, "50%": 6, "q\"\u00e9": 7}`,
			want: map[string]pos{
				"/a~1b":     {1, 9},
				"/m~0n":     {1, 19},
				"/~0~1":     {1, 28},
				"/~0~1/x":   {1, 34},
				"/":         {1, 42},
				"/a b":      {1, 52},
				"/a%20b":    {1, 52}, // percent-encoded, as santhosh-tekuri reports it
				"/50%":      {1, 62},
				"/50%25":    {1, 62},
				"/q\"é":     {1, 78},
				"/a/b":      {1, 1}, // not the same as "/a~1b"
				"/~0~1/x/y": {1, 34},
			},
		},
		{
			name: "unicode before value",
			doc:  "{\"ключ\": \"значение\", \"日本\": [\"😀\", 1]}",
			want: map[string]pos{
				"/ключ":    {1, 10},
				"/日本":      {1, 28},
				"/日本/0":    {1, 29},
				"/日本/1":    {1, 34},
				"/missing": {1, 1},
			},
		},
		{
			name: "CRLF and tabs",
			doc:  "{\r\n\t\"a\": 1,\r\n\t\"b\":\r\n\t\t[true]\r\n}\r\n",
			want: map[string]pos{
				"":     {1, 1},
				"/a":   {2, 7},
				"/b":   {4, 3},
				"/b/0": {4, 4},
			},
		},
		{
			name: "duplicate keys: last wins",
			doc:  `{"a": {"x": 1, "y": 2}, "a": {"y": 3}}`,
			want: map[string]pos{
				"/a":   {1, 30},
				"/a/y": {1, 36},
				"/a/x": {1, 30}, // only in the first occurrence: gone
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix, err := Build([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			for ptr, want := range tt.want {
				l, c := ix.Pos(ptr)
				if (pos{l, c}) != want {
					t.Errorf("Pos(%q) = %d:%d, want %d:%d", ptr, l, c, want.line, want.col)
				}
			}
		})
	}
}

func TestKeyPos(t *testing.T) {
	doc := "{\n  \"name\": \"x\",\n  \"source\": {\"sql\": {}, \"a/b\": 1},\n  \"list\": [{\"k\": 1}]\n}"
	ix, err := Build([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ptr  string
		want pos
		ok   bool
	}{
		{"/name", pos{2, 3}, true},
		{"/source", pos{3, 3}, true},
		{"/source/sql", pos{3, 14}, true},
		{"/source/a~1b", pos{3, 25}, true},
		{"/list/0/k", pos{4, 13}, true},
		{"", pos{}, false},
		{"/list/0", pos{}, false},
		{"/missing", pos{}, false},
	}
	for _, tt := range tests {
		l, c, ok := ix.KeyPos(tt.ptr)
		if ok != tt.ok || (pos{l, c}) != tt.want {
			t.Errorf("KeyPos(%q) = %d:%d %v, want %d:%d %v", tt.ptr, l, c, ok, tt.want.line, tt.want.col, tt.ok)
		}
	}
}

func TestSyntaxError(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want pos
		msg  string // substring
	}{
		{"empty", "", pos{1, 1}, "unexpected end"},
		{"only space", " \n ", pos{2, 2}, "unexpected end"},
		{"truncated object", "{\n  \"a\": 1,\n  \"b\": ", pos{3, 8}, "unexpected end"},
		{"truncated string", `{"a": "xy`, pos{1, 10}, "unexpected end"},
		{"truncated key", `{"a`, pos{1, 4}, "unexpected end"},
		{"truncated literal", `[tru`, pos{1, 5}, "unexpected end"},
		{"truncated number", `[1.`, pos{1, 4}, "unexpected end"},
		{"truncated after minus", `-`, pos{1, 2}, "unexpected end"},
		{"trailing garbage", "{}\n  x", pos{2, 3}, "after top-level value"},
		{"two values", `1 2`, pos{1, 3}, "after top-level value"},
		{"trailing comma object", "{\"a\": 1,\n}", pos{2, 1}, "beginning of object key"},
		{"trailing comma array", `[1, ]`, pos{1, 5}, "beginning of value"},
		{"missing comma", "{\"a\": 1\n \"b\": 2}", pos{2, 2}, "after object key:value pair"},
		{"missing colon", `{"a" 1}`, pos{1, 6}, "after object key"},
		{"single quotes", `{'a': 1}`, pos{1, 2}, `'\''`},
		{"bad literal", `[nul]`, pos{1, 5}, "in literal null"},
		{"bad escape", `["a\x"]`, pos{1, 5}, "escape"},
		{"bad unicode escape", `["\u12G4"]`, pos{1, 7}, "hexadecimal"},
		{"control char", "[\"a\tb\"]", pos{1, 4}, "in string literal"},
		{"leading zero", `[01]`, pos{1, 3}, "after array element"},
		{"plus sign", `[+1]`, pos{1, 2}, "beginning of value"},
		{"bad exponent", `[1e]`, pos{1, 4}, "exponent"},
		{"bad fraction", `[1.e5]`, pos{1, 4}, "decimal point"},
		{"unicode before error", "{\"ключ\": \"значение\" x}", pos{1, 21}, "'x'"},
		{"CRLF", "{\r\n\"a\": 1,\r\n\"b\": ?\r\n}", pos{3, 6}, "'?'"},
		{"BOM", "\ufeff{}", pos{1, 1}, `\ufeff`},
		{"unclosed array", "[1, [2]", pos{1, 8}, "unexpected end"},
		{"mismatched close", `[1}`, pos{1, 3}, "after array element"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build([]byte(tt.doc))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Build error = %v, want *SyntaxError", err)
			}
			if (pos{se.Line, se.Col}) != tt.want {
				t.Errorf("at %d:%d, want %d:%d (%v)", se.Line, se.Col, tt.want.line, tt.want.col, se)
			}
			if !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("message %q does not contain %q", se.Msg, tt.msg)
			}
			if json.Valid([]byte(tt.doc)) {
				t.Errorf("encoding/json accepts %q", tt.doc)
			}
			if want := strconv.Itoa(tt.want.line) + ":" + strconv.Itoa(tt.want.col) + ": "; !strings.HasPrefix(se.Error(), want) {
				t.Errorf("Error() = %q, want prefix %q", se.Error(), want)
			}
		})
	}
}

func TestMaxDepth(t *testing.T) {
	ok := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	if _, err := Build([]byte(ok)); err != nil {
		t.Errorf("depth %d: %v", maxDepth, err)
	}
	bad := "[" + ok + "]"
	if _, err := Build([]byte(bad)); err == nil {
		t.Errorf("depth %d accepted", maxDepth+1)
	}
	if json.Valid([]byte(bad)) || !json.Valid([]byte(ok)) {
		t.Error("max depth differs from encoding/json")
	}
}

func TestLineCol(t *testing.T) {
	data := []byte("ab\n\tçd\r\nx")
	tests := []struct {
		off  int
		want pos
	}{
		{0, pos{1, 1}},
		{2, pos{1, 3}}, // the '\n' itself
		{3, pos{2, 1}},
		{4, pos{2, 2}}, // after the tab
		{6, pos{2, 3}}, // after 'ç' (2 bytes, 1 rune)
		{7, pos{2, 4}}, // '\r'
		{9, pos{3, 1}},
		{10, pos{3, 2}}, // end
		{99, pos{3, 2}}, // clamped
		{-1, pos{1, 1}}, // clamped
	}
	ix := &Index{data: data, lineStarts: lineStarts(data)}
	for _, tt := range tests {
		if l, c := LineCol(data, tt.off); (pos{l, c}) != tt.want {
			t.Errorf("LineCol(%d) = %d:%d, want %d:%d", tt.off, l, c, tt.want.line, tt.want.col)
		}
		if l, c := ix.lineCol(tt.off); (pos{l, c}) != tt.want {
			t.Errorf("Index.lineCol(%d) = %d:%d, want %d:%d", tt.off, l, c, tt.want.line, tt.want.col)
		}
	}
}

// checkIndex verifies, for a valid document, that every indexed value
// decodes to the same thing as resolving its pointer in the decoded
// document, that every key offset is a string equal to the pointer's last
// token, and that the value count matches.
func checkIndex(t *testing.T, data []byte, ix *Index) {
	t.Helper()
	var doc any
	if err := decode(data, &doc); err != nil {
		t.Fatalf("Build accepted what encoding/json rejects: %v", err)
	}
	p := ix.pointers()
	if n := countValues(doc); n != len(p.values) {
		t.Errorf("indexed %d values, document has %d", len(p.values), n)
	}
	// Compact drops the pointers; the next lookup indexes the same ones.
	ix.Compact()
	if again := ix.pointers(); again == p || !reflect.DeepEqual(again, p) {
		t.Errorf("indexing again after Compact gave other pointers (or kept the old ones)")
	}
	for ptr, off := range p.values {
		want, ok := resolve(doc, ptr)
		if !ok {
			t.Errorf("pointer %q not in document", ptr)
			continue
		}
		var got any
		if err := decode(data[off:], &got); err != nil {
			t.Errorf("value at %q (offset %d): %v", ptr, off, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("value at %q = %v, want %v", ptr, got, want)
		}
	}
	for ptr, off := range p.keys {
		var key string
		if err := json.NewDecoder(bytes.NewReader(data[off:])).Decode(&key); err != nil {
			t.Errorf("key at %q (offset %d): %v", ptr, off, err)
			continue
		}
		if tok := ptr[strings.LastIndexByte(ptr, '/')+1:]; escapeToken(key) != tok {
			t.Errorf("key at %q = %q", ptr, key)
		}
	}
}

// decode decodes the first JSON value in data, keeping numbers exact.
func decode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

func countValues(v any) int {
	n := 1
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			n += countValues(e)
		}
	case []any:
		for _, e := range v {
			n += countValues(e)
		}
	}
	return n
}

func resolve(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch v := doc.(type) {
		case map[string]any:
			e, ok := v[tok]
			if !ok {
				return nil, false
			}
			doc = e
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			doc = v[i]
		default:
			return nil, false
		}
	}
	return doc, true
}

var corpus = []string{
	`{}`, `[]`, `0`, `-0.5e+10`, `"x"`, `null`, `true`, `false`,
	`{"a": {"b": [1, {"c": "d"}]}, "e/f": {"~": null}}`,
	`{"a": {"x": 1, "y": [2]}, "a": {"y": 3}, "a": [4]}`,
	"{\"\\u00e9\\ud83d\\ude00\": [\"\\\"\", \"\\\\\", 1E2], \"\": {\"\": []}}",
	"{\"\xff\": 1, \"\\ud800\": 2}",
	"\r\n\t{ \"a\" :\r\n [ 1 , 2 ] }\r\n",
	`[1e400, -123456789012345678901234567890]`,
	`{"a": 1`, `[1,]`, `{"a" 1}`, `"\u12"`, "\ufeff{}",
}

func TestCorpus(t *testing.T) {
	for _, doc := range corpus {
		data := []byte(doc)
		ix, err := Build(data)
		if (err == nil) != json.Valid(data) {
			t.Errorf("%q: Build error %v, json.Valid %v", doc, err, json.Valid(data))
			continue
		}
		if err == nil {
			checkIndex(t, data, ix)
		}
	}
}

func FuzzBuild(f *testing.F) {
	for _, doc := range corpus {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := Build(data)
		if (err == nil) != json.Valid(data) {
			t.Fatalf("Build error %v, json.Valid %v", err, json.Valid(data))
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T, want *SyntaxError", err)
			}
			if l, c := LineCol(data, se.Offset); l != se.Line || c != se.Col {
				t.Fatalf("SyntaxError at %d:%d, offset %d is %d:%d", se.Line, se.Col, se.Offset, l, c)
			}
			return
		}
		checkIndex(t, data, ix)
		values := ix.pointers().values
		for ptr := range values {
			l, c := ix.Pos(ptr)
			off := values[ptr]
			if wl, wc := LineCol(data, off); l != wl || c != wc {
				t.Fatalf("Pos(%q) = %d:%d, LineCol = %d:%d", ptr, l, c, wl, wc)
			}
			ix.Pos(ptr + "/x/0")
			ix.KeyPos(ptr)
		}
	})
}

func BenchmarkBuild(b *testing.B) {
	spec := []byte(`{
  "$schema": "https://reftask.dev/schema/task.schema.json",
  "name": "GetUser",
  "description": "Looks up a user by id.",
  "params": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
  "result": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}}, "required": ["id", "name"]},
  "source": {"sql": {"connection": "main", "query": "SELECT id, name, created_at FROM users WHERE id = :id"}},
  "cache": {"ttl": "5m"},
  "retry": {"attempts": 3},
  "timeout": "2s"
}`)
	b.SetBytes(int64(len(spec)))
	for b.Loop() {
		if _, err := Build(spec); err != nil {
			b.Fatal(err)
		}
	}
}

// TestColumnsOnLongLines compares every value's position with LineCol,
// which counts from the start of the line, on random documents: minified
// (one long line) and pretty, ASCII, multi-byte and invalid UTF-8 in
// strings. The rune marks make a column cost at most runeMarkEvery bytes
// of counting, whatever the line's length.
func TestColumnsOnLongLines(t *testing.T) {
	pieces := []string{"x", "é", "ключ", "😀", "\xff", "\xe2\x82", "~/", " "}
	for seed := range 40 {
		r := rand.New(rand.NewPCG(uint64(seed), 7))
		var b strings.Builder
		sep := ""
		if seed%2 == 1 {
			sep = "\n  "
		}
		b.WriteString("{")
		n := 1 + r.IntN(400)
		for i := range n {
			if i > 0 {
				b.WriteString("," + sep)
			}
			var v strings.Builder
			for range r.IntN(60) {
				v.WriteString(pieces[r.IntN(len(pieces))])
			}
			fmt.Fprintf(&b, "\"p%d\": [\"%s\", {\"k\": %d}]", i, v.String(), i)
		}
		b.WriteString("}")
		data := []byte(b.String())
		ix, err := Build(data)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		for i := range n {
			for _, ptr := range []string{fmt.Sprintf("/p%d", i), fmt.Sprintf("/p%d/0", i), fmt.Sprintf("/p%d/1/k", i)} {
				off, ok := ix.Offset(ptr)
				if !ok {
					t.Fatalf("seed %d: %s not indexed", seed, ptr)
				}
				wl, wc := LineCol(data, off)
				if l, c := ix.Pos(ptr); l != wl || c != wc {
					t.Fatalf("seed %d: Pos(%s) = %d:%d, want %d:%d", seed, ptr, l, c, wl, wc)
				}
			}
		}
		for k := 1; k < len(ix.runeMarks); k++ {
			if gap := ix.runeMarks[k].offset - ix.runeMarks[k-1].offset; gap > runeMarkEvery+utf8.UTFMax {
				t.Fatalf("seed %d: rune marks %d bytes apart", seed, gap)
			}
		}
	}
}

// TestDuplicates lists repeated keys at any depth with both places.
func TestDuplicates(t *testing.T) {
	doc := "{\"a\": 1, \"b\": {\"c\": [{\"d\": 1, \"d\": 2}], \"a/~\": 0, \"a/~\": 1}, \"a\": 2}"
	ix, err := Build([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range ix.Duplicates() {
		l, c := ix.LineCol(d.Offset)
		fl, fc := ix.LineCol(d.First)
		got = append(got, fmt.Sprintf("%s %d:%d %d:%d", d.Pointer, l, c, fl, fc))
	}
	want := []string{"/b/c/0/d 1:31 1:23", "/b/a~1~0 1:51 1:41", "/a 1:62 1:2"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestDuplicatesReplaceSubtrees: a repeated key replaces everything the
// earlier member held, also after Compact re-indexes, and each repeat names
// the one before it as First.
func TestDuplicatesReplaceSubtrees(t *testing.T) {
	doc := `{"a": {"x": 1, "x": 2}, "a": {"y": [3, {"z": 4}]}, "b": 1, "b": 2, "b": 3}`
	ix, err := Build([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range ix.Duplicates() {
		got = append(got, fmt.Sprintf("%s %d %d", d.Pointer, d.Offset, d.First))
	}
	want := []string{"/a/x 15 7", "/a 24 1", "/b 59 51", "/b 67 59"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("duplicates %q\nwant %q", got, want)
	}
	for round := range 2 {
		for ptr, wantOff := range map[string]int{"/a": 29, "/a/x": 29, "/a/x/deeper": 29, "/a/y/1/z": 45, "/b": 72} {
			p := ptr
			off, ok := ix.Offset(p)
			for !ok {
				p = p[:strings.LastIndexByte(p, '/')]
				off, ok = ix.Offset(p)
			}
			if off != wantOff {
				t.Errorf("round %d: %s resolves at offset %d, want %d", round, ptr, off, wantOff)
			}
			if l, c := ix.Pos(ptr); l != 1 || c != wantOff+1 {
				t.Errorf("round %d: Pos(%s) = %d:%d, want 1:%d", round, ptr, l, c, wantOff+1)
			}
		}
		if l, c, ok := ix.KeyPos("/a"); !ok || l != 1 || c != 25 {
			t.Errorf("round %d: KeyPos(/a) = %d:%d %v, want the second key at 1:25", round, l, c, ok)
		}
		ix.Compact()
	}
}

// TestConcurrentLookups: lookups and Compact from many goroutines (run
// with -race) agree with a single-threaded lookup.
func TestConcurrentLookups(t *testing.T) {
	data := []byte(corpus[0])
	ix, err := Build(data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int{}
	for ptr := range ix.pointers().values {
		l, c := ix.Pos(ptr)
		want[ptr] = [2]int{l, c}
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				if (g+i)%7 == 0 {
					ix.Compact()
				}
				for ptr, w := range want {
					if l, c := ix.Pos(ptr); l != w[0] || c != w[1] {
						t.Errorf("Pos(%q) = %d:%d, want %d:%d", ptr, l, c, w[0], w[1])
						return
					}
				}
			}
		})
	}
	wg.Wait()
}
