package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/reftask/reftask/runtime/internal/wire"

	"github.com/reftask/reftask/runtime/internal/rawval"
)

// JSONValue holds any JSON value. The generator uses it, by design and
// documented as such, for a schema that allows values of several JSON types
// (or of all types: a schema without "type") and for constructs that no
// precise Go type can express; generated code validates the value against
// its schema, applying each keyword only to instances of the type it is
// about. Inside, objects are map[string]any, arrays []any, numbers
// json.Number (exact, never rounded through float64), and null is nil.
type JSONValue struct {
	v any
}

// JSONOf wraps a decoded JSON value; float64 and integer Go numbers are
// turned into json.Number, so values from any decoder compare the same. A
// value with no JSON form (NaN, a json.Number that is not a number, a
// channel) becomes null, as AsJSONValue would report it as an error.
func JSONOf(v any) JSONValue { return JSONValue{v: normalizeJSON(v)} }

// Any returns the value: nil, bool, json.Number, string, []any or
// map[string]any.
func (j JSONValue) Any() any { return j.v }

// Kind names the value's JSON type: null, boolean, integer, number,
// string, array or object (integer for a number without a fraction).
func (j JSONValue) Kind() string { return JSONKind(j.v) }

// IsNull reports whether the value is JSON null.
func (j JSONValue) IsNull() bool { return j.v == nil }

// MarshalJSON writes the value back as it was decoded.
func (j JSONValue) MarshalJSON() ([]byte, error) { return json.Marshal(j.v) }

// UnmarshalJSON decodes any JSON value, keeping numbers exact.
func (j *JSONValue) UnmarshalJSON(data []byte) error {
	v, err := DecodeJSON(data)
	if err != nil {
		return err
	}
	j.v = v
	return nil
}

// String renders the value as compact JSON.
func (j JSONValue) String() string {
	b, err := json.Marshal(j.v)
	if err != nil {
		return fmt.Sprint(j.v)
	}
	return string(b)
}

// DecodeJSON decodes one JSON document with exact numbers and nothing after it.
func DecodeJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

// AppendJSONValue encodes a JSONValue for the cache, as its JSON text, which is also what a source is sent.
// Every constructor of JSONValue keeps to values that encoding/json can write, so the text always exists; were
// it ever missing, the value would be written as a text that is not JSON, which tells it from every real value
// in a key and which ReadJSONValue refuses as a corrupt entry, rather than as a null another value shares.
func AppendJSONValue(dst []byte, v JSONValue) []byte {
	b, err := json.Marshal(v.v)
	if err != nil {
		return wire.AppendString(dst, "\x00"+string(wire.AppendGoKey(nil, reflect.ValueOf(v.v), 0)))
	}
	return wire.AppendString(dst, string(b))
}

// ReadJSONValue reads what AppendJSONValue wrote; a corrupt entry sets the
// reader's error.
func ReadJSONValue(rd *Reader) JSONValue {
	s := rd.String()
	if rd.Err() != nil {
		return JSONValue{}
	}
	v, err := DecodeJSON([]byte(s))
	if err != nil {
		rd.fail()
		return JSONValue{}
	}
	return JSONValue{v: v}
}

// AsJSONValue converts a raw source value; every JSON value is accepted,
// numbers of any Go numeric type become exact json.Number.
func AsJSONValue(path string, raw any) (JSONValue, error) {
	if _, ok := raw.(rawval.Absent); ok {
		return JSONValue{}, missing(path, "value")
	}
	v, err := toJSON(raw)
	if err != nil {
		return JSONValue{}, &ConvError{Path: path, From: fmt.Sprintf("%T", raw), To: "JSON value", Value: fmt.Sprint(raw), Err: err}
	}
	return JSONValue{v: v}, nil
}

func toJSON(raw any) (any, error) {
	switch x := raw.(type) {
	case nil, bool, string:
		return x, nil
	case json.Number:
		// Checked so that every JSONValue has a JSON text: its cache key and its body are that text.
		if !strictJSONNumber(string(x)) {
			return nil, errors.New("not a JSON number")
		}
		return x, nil
	case []byte:
		return string(x), nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			v, err := toJSON(e)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			v, err := toJSON(e)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, errors.New("not a JSON number")
		}
		return json.Number(strconv.FormatFloat(x, 'g', -1, 64)), nil
	case float32:
		// Formatted at 32-bit precision, as encoding/json writes a float32,
		// so that 0.1 stays 0.1 rather than its widened float64 digits.
		if math.IsInf(float64(x), 0) || math.IsNaN(float64(x)) {
			return nil, errors.New("not a JSON number")
		}
		return json.Number(strconv.FormatFloat(float64(x), 'g', -1, 32)), nil
	case int:
		return json.Number(strconv.Itoa(x)), nil
	case int64:
		return json.Number(strconv.FormatInt(x, 10)), nil
	case int32:
		return json.Number(strconv.FormatInt(int64(x), 10)), nil
	case uint64:
		return json.Number(strconv.FormatUint(x, 10)), nil
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	return DecodeJSON(b)
}

func normalizeJSON(v any) any {
	out, err := toJSON(v)
	if err != nil {
		return nil
	}
	return out
}

// JSONKind names the JSON type of a decoded value (see JSONValue.Kind).
func JSONKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		if IsJSONInteger(x) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// IsJSONInteger reports whether n has no fractional part (1.0 and 1e2 do not).
func IsJSONInteger(n json.Number) bool {
	d, ok := parseDecimal(string(n))
	return ok && d.isInt()
}

// CompareNumber compares n with the decimal bound, exactly: -1, 0 or +1.
// Its cost is bounded by the length of the texts, whatever their exponents.
func CompareNumber(n json.Number, bound string) int {
	a, ok1 := parseDecimal(string(n))
	b, ok2 := parseDecimal(bound)
	if ok1 && ok2 {
		return a.cmp(b)
	}
	// Generated bounds may be written as fractions ("11/10"), which only
	// big.Rat reads; such bounds have small exponents.
	rb, ok2 := new(big.Rat).SetString(bound)
	if !ok1 || !ok2 || strings.ContainsAny(bound, "eE") {
		return 0
	}
	if limit := int64(len(bound)) + 2; a.exp > limit || a.exp < -limit {
		// n's magnitude alone decides: big.Rat would spell out its exponent's
		// digits (a million of them is 20 ms and 400 KB a call).
		return hugeCmp(a, rb)
	}
	return a.rat().Cmp(rb)
}

// hugeCmp compares a decimal with a fraction p/q whose text is shorter than
// |a.exp|-2 characters: then |p/q| < 10^(a.exp-1) <= |a| when a.exp is
// positive, and |a| < 10^a.exp < 1/q <= |p/q| (unless p is 0) when it is
// negative, so only signs and the direction of the exponent matter.
func hugeCmp(a decimal, r *big.Rat) int {
	if a.exp > 0 { // |a| is larger than |r|
		if a.neg {
			return -1
		}
		return 1
	}
	// |a| is smaller than |r|: it compares as zero, unless r is zero.
	switch r.Sign() {
	case 0:
		return a.sign()
	default:
		return -r.Sign()
	}
}

// IsMultipleOfNumber reports, exactly, whether n is a multiple of m, a
// decimal or a fraction ("1/3"). Its cost is bounded by the length of the
// texts, whatever their exponents: 1e999999999 is decided without writing
// out its digits (see multipleOf).
func IsMultipleOfNumber(n json.Number, m string) bool {
	a, ok := parseDecimal(string(n))
	if !ok {
		return false
	}
	if a.digits == "" {
		return mNonZero(m) // 0 is a multiple of every m but 0
	}
	N := a.mantissa() // |n| = N × 10^e
	e := a.exp - int64(len(a.digits))
	if b, ok := parseDecimal(m); ok {
		if b.digits == "" {
			return false
		}
		// n/m = N × 10^(e-f) / M, with m = M × 10^f.
		return multipleOf(N, big.NewInt(1), b.mantissa(), e-(b.exp-int64(len(b.digits))))
	}
	if strings.ContainsAny(m, "eE.") {
		return false // neither a decimal nor a fraction of integers
	}
	r, ok := new(big.Rat).SetString(m)
	if !ok || r.Sign() == 0 {
		return false
	}
	// n/m = N × 10^e × Q / P, with m = P/Q in lowest terms.
	return multipleOf(N, r.Denom(), new(big.Int).Abs(r.Num()), e)
}

func mNonZero(m string) bool {
	if b, ok := parseDecimal(m); ok {
		return b.digits != ""
	}
	r, ok := new(big.Rat).SetString(m)
	return ok && !strings.ContainsAny(m, "eE") && r.Sign() != 0
}

// multipleOf reports whether D divides N × Q × 10^g, for positive N, Q, D with
// D coprime to Q, without computing a power of ten larger than the inputs.
// Write D = 2^i × 5^j × D'. For g >= max(i, j), the powers of 2 and 5 in 10^g
// cover those of D, and D' is coprime to 10, so the answer is whether D'
// divides N × Q, the same as at g = max(i, j): g is capped there. For g < 0,
// D × 10^-g must divide N × Q, which needs 2^-g to divide it: impossible once
// -g exceeds the bit length of N × Q.
func multipleOf(N, Q, D *big.Int, g int64) bool {
	NQ := new(big.Int).Mul(N, Q)
	if g >= 0 {
		g = min(g, max(int64(D.TrailingZeroBits()), power5(D)))
		NQ.Mul(NQ, pow10(g))
		return NQ.Rem(NQ, D).Sign() == 0
	}
	if -g > int64(NQ.BitLen()) {
		return false
	}
	div := new(big.Int).Mul(D, pow10(-g))
	return NQ.Rem(NQ, div).Sign() == 0
}

// power5 returns how many times 5 divides x (x > 0).
func power5(x *big.Int) int64 {
	five := big.NewInt(5)
	q, r := new(big.Int), new(big.Int)
	x = new(big.Int).Set(x)
	k := int64(0)
	for {
		q.QuoRem(x, five, r)
		if r.Sign() != 0 {
			return k
		}
		x, q = q, x
		k++
	}
}

func pow10(k int64) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(k), nil)
}

// EqualJSON reports whether two decoded JSON values are equal as JSON
// Schema defines it: numbers by value (1 equals 1.0), objects regardless
// of key order.
func EqualJSON(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		return CompareNumber(x, string(y)) == 0
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !EqualJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !EqualJSON(xv, yv) {
				return false
			}
		}
		return true
	}
	return false
}

// SortedKeys returns an object's keys in order, so that violations are
// reported in the same order on every run.
func SortedKeys(o map[string]any) []string {
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// NormalizeIntegers rewrites the numbers of a JSON document that have no
// fractional part but are written with one or with an exponent (1.0, 1e2)
// as plain integers, so that encoding/json decodes them into int64 fields:
// JSON Schema counts them as integers. Other documents are returned as they are.
func NormalizeIntegers(data []byte) []byte {
	if !bytes.ContainsAny(data, ".eE") {
		return data
	}
	v, err := DecodeJSON(data)
	if err != nil {
		return data
	}
	changed := false
	var walk func(x any) any
	walk = func(x any) any {
		switch y := x.(type) {
		case json.Number:
			// An int64 has at most 19 digits before the point: a larger exponent is left as it is, never
			// written out (1e999999 would cost big.Rat a million digits).
			if d, ok := parseDecimal(string(y)); ok && strings.ContainsAny(string(y), ".eE") && d.isInt() && d.exp <= 19 {
				if r := d.rat(); r.IsInt() && r.Num().IsInt64() {
					changed = true
					return json.Number(r.Num().String())
				}
			}
		case []any:
			for i := range y {
				y[i] = walk(y[i])
			}
		case map[string]any:
			for k := range y {
				y[k] = walk(y[k])
			}
		}
		return x
	}
	v = walk(v)
	if !changed {
		return data
	}
	out, err := json.Marshal(v)
	if err != nil {
		return data
	}
	return out
}
