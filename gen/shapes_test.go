package gen_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// The spec shape generator behind FuzzBuild and TestAcceptedSpecsBuild:
// from a stream of choices it writes a specs folder of one to three
// tasks whose schemas combine types, formats, keywords of every kind
// (those of other types too), numbers at the edges of int64 and float64,
// duplicate enum values, awkward names, nesting, nullability, unions,
// allOf, tuples, maps and x-go-type builtins. Most of what it writes is
// accepted; whatever the generator accepts must build and vet.

// chooser yields the generator's choices.
type chooser interface {
	intn(n int) int
}

// byteChooser reads choices from fuzz input; once the input is used up
// every choice is the first option, so any input gives a finite spec.
type byteChooser struct {
	data []byte
	i    int
}

func (c *byteChooser) intn(n int) int {
	if n <= 1 || c.i >= len(c.data) {
		return 0
	}
	b := int(c.data[c.i])
	c.i++
	return b % n
}

type randChooser struct{ r *rand.Rand }

func (c randChooser) intn(n int) int {
	if n <= 1 {
		return 0
	}
	return c.r.IntN(n)
}

// Pools of values the generator picks from. Numbers are json.Number so
// that they reach the spec exactly as written.
var (
	// Ordinary numbers, picked most of the time, and numbers at the edges.
	shapeOrdinary = numbers("0", "1", "-1", "2", "3", "2.5", "0.5", "10", "100")
	shapeBounds   = numbers("0", "1", "-1", "2.5", "0.1", "-0", "2.0", "1e2", "1e400", "-1e400", "1e-400", "-1e-400",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
		"18446744073709551616", "1.7976931348623157e308", "1.8e308", "4.9e-324", "123456789012345678901234567890.123456789",
		"1e10000000", "0.30000000000000004")
	shapeCounts = numbers("0", "1", "2", "2.0", "1e2", "2147483648", "4294967296", "9007199254740993",
		"9223372036854775807", "9223372036854775808", "18446744073709551616", "1e400")
	shapeMultiples = numbers("1", "2", "3", "0.1", "0.5", "0.0001", "1e-400", "1e400", "9223372036854775808", "2.5", "1e-7")
	shapeNumbers   = numbers("1", "1.0", "2", "0", "-0", "0.1", "1.5", "1e2", "100", "9223372036854775807",
		"9223372036854775808", "-9223372036854775809", "1e400", "-1e400", "1e-400")
	shapeStrings = []any{"a", "a", "A", "b", "", "a b", "a-b", "a_b", "1", "%s", "%v", `"`, `\`, "true", "null",
		"2024-01-01", "2024-01-01T00:00:00Z", "08:30:00Z", "P1D", "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
		"joe@example.com", "https://x.example/a", "127.0.0.1", "::1", "Valid", "x y z"}
	shapeFormats  = []string{"date-time", "date", "time", "duration", "uuid", "email", "uri", "ipv4", "ipv6", "hostname", "regex"}
	shapePatterns = []string{"^a", "Z$", "[0-9]+", "^(a|b)*$", `\d`, "^$", ".", "^[^%]*$"}
	// Property names: Go keywords and predeclared names, names generated
	// code uses for its own variables, initialisms, digits, and pairs
	// that give the same Go name, names a struct tag cannot carry, and
	// names of generated methods and of the fields reftaskgen adds.
	shapeProps = []string{"", "-", "a,b", `q"x`, "b`x", `bs\x`, "a b", "ünï", "名前", "Validate", "validate",
		"UnmarshalJSON", "MarshalJSON", "String", "Value", "Valid", "Extra", "AdditionalProperties", "Rest", "V0", "V1",
		"id", "ID", "Id", "user_id", "userId", "UserID", "type", "func", "map", "range", "len", "error", "nil",
		"v", "vs", "path", "n", "p", "c", "ctx", "err", "data", "plain", "x", "rd", "buf", "ok", "i", "k",
		"a_b", "a-b", "aB", "AB", "123", "1a", "client", "params", "result", "options", "extra", "kind", "time", "json",
		"fmt", "strconv", "errors", "slices", "maps", "utf8", "netip", "math", "context", "runtime"}
	// Parameter names: they must also be placeholders in SQL, paths and
	// file pointers.
	shapeParams = []string{"id", "ID", "user_id", "userId", "type", "func", "len", "v", "p", "c", "ctx", "err", "buf", "opts",
		"x", "time", "json", "fmt", "strconv", "errors", "utf8", "math", "key", "a_b"}
	// Names for titles, x-go-name and $defs keys: some collide with the
	// types and functions every generated file declares.
	shapeTypeNames = []string{"Thing", "Item", "X", "Client", "NewClient", "XParams", "XResult", "AResult", "Pattern0",
		"ConvPattern0", "Node", "Thing2", "ID", "Time", "Runtime", "Context", "JSON", "V1", "A", "A2", "Rest", "Validate"}
	// Titles also name tuple positions and union branches, beside the
	// names reftaskgen falls back on (V<i>, Variant<i>, the JSON type).
	shapeTitles = []string{"Thing", "a b", "123", "type", "x", "Client", "Item", "V1", "V0", "Variant1", "String",
		"Integer", "Validate", "A", "A2", "Rest"}
	// Task names: pairs that give one unexported name (ABC, Abc), names
	// that end the way generated methods do, and names of the client's own members.
	shapeTasks = []string{"X", "A", "AAsync", "ABatch", "ABC", "Abc", "Many", "ManyA", "Pattern0", "Client", "Execute", "Tasks", "Get", "Key", "Fetch", "Value"}
	goBuiltins = []struct{ name, typ string }{
		{"int8", "integer"}, {"uint8", "integer"}, {"int32", "integer"}, {"uint64", "integer"}, {"int", "integer"},
		{"float32", "number"}, {"float64", "number"}, {"string", "string"}, {"bool", "boolean"},
	}
)

func numbers(ss ...string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = json.Number(s)
	}
	return out
}

type shapeGen struct {
	c    chooser
	defs map[string]any
	// defNames are the $defs keys in the order they were made.
	defNames []string
}

func (g *shapeGen) chance(pct int) bool { return g.c.intn(100) < pct }

func pick[T any](g *shapeGen, xs []T) T { return xs[g.c.intn(len(xs))] }

// scalarType is one of the JSON scalar types.
func (g *shapeGen) scalarType() string {
	return pick(g, []string{"string", "integer", "number", "boolean", "string", "integer"})
}

// sprinkle adds keywords to a schema, of its own type or of any other,
// which JSON Schema ignores for values of other types.
func (g *shapeGen) sprinkle(s map[string]any, typ string, n int) {
	for range n {
		switch g.c.intn(20) {
		case 0:
			s["minLength"] = g.count()
		case 1:
			s["maxLength"] = g.count()
		case 2:
			s["pattern"] = pick(g, shapePatterns)
		case 3:
			s["minimum"] = g.bound()
		case 4:
			s["maximum"] = g.bound()
		case 5:
			s["exclusiveMinimum"] = g.bound()
		case 6:
			s["exclusiveMaximum"] = g.bound()
		case 7:
			s["multipleOf"] = pick(g, shapeMultiples)
		case 8:
			s["minItems"] = g.count()
		case 9:
			s["maxItems"] = g.count()
		case 10:
			s["uniqueItems"] = g.chance(50)
		case 11:
			s["minProperties"] = g.count()
		case 12:
			s["maxProperties"] = g.count()
		case 13:
			s["const"] = g.value(typ)
		case 14:
			s["enum"] = g.enum(typ)
		case 15:
			s["format"] = pick(g, shapeFormats)
		case 16:
			s["title"] = pick(g, shapeTitles)
		case 17:
			s["description"] = pick(g, []string{"A value.", "Two\nlines.", "100% sure", ""})
		case 18:
			s["x-go-name"] = pick(g, shapeTypeNames)
		case 19:
			s["default"] = g.value(typ)
		}
	}
}

// bound and count are numbers for bound and count keywords: ordinary
// ones mostly, the edges of int64 and float64 often enough.
func (g *shapeGen) bound() any {
	if g.chance(60) {
		return pick(g, shapeOrdinary)
	}
	return pick(g, shapeBounds)
}

func (g *shapeGen) count() any {
	if g.chance(75) {
		return pick(g, numbers("0", "1", "2", "3", "10"))
	}
	return pick(g, shapeCounts)
}

// value is a JSON value, usually of type typ.
func (g *shapeGen) value(typ string) any {
	if g.chance(5) {
		typ = g.scalarType()
	}
	switch typ {
	case "string":
		return pick(g, shapeStrings)
	case "integer":
		if g.chance(70) {
			return pick(g, numbers("1", "1.0", "2", "0", "-0", "1e2", "100", "-7"))
		}
		return pick(g, shapeNumbers)
	case "number":
		return pick(g, shapeNumbers)
	case "boolean":
		return g.chance(50)
	}
	return pick(g, []any{nil, []any{json.Number("1")}, map[string]any{"k": "v"}, "a", json.Number("1")})
}

// enum is a list of values with duplicates likely: the same value
// twice, or written two ways (1 and 1.0).
func (g *shapeGen) enum(typ string) []any {
	n := 1 + g.c.intn(4)
	var out []any
	for range n {
		if len(out) > 0 && g.chance(30) {
			out = append(out, out[g.c.intn(len(out))])
			continue
		}
		out = append(out, g.value(typ))
	}
	return out
}

// schema writes a schema; depth bounds nesting.
func (g *shapeGen) schema(depth int) map[string]any {
	kinds := 6
	if depth > 0 {
		kinds = 16
	}
	switch k := g.c.intn(kinds); k {
	case 0, 1:
		typ := g.scalarType()
		s := map[string]any{"type": typ}
		g.sprinkle(s, typ, g.c.intn(4))
		return g.nullable(s)
	case 2:
		s := map[string]any{"type": "string", "format": pick(g, shapeFormats)}
		g.sprinkle(s, "string", g.c.intn(4))
		return g.nullable(s)
	case 3:
		typ := g.scalarType()
		s := map[string]any{"enum": g.enum(typ)}
		if g.chance(70) {
			s["type"] = typ
		}
		if g.chance(30) {
			names := make([]any, len(s["enum"].([]any)))
			for i := range names {
				names[i] = fmt.Sprintf("%s%d", pick(g, []string{"E", "Item", "X"}), g.c.intn(3))
			}
			s["x-go-enum-names"] = names
		}
		g.sprinkle(s, typ, g.c.intn(2))
		return s
	case 4:
		typ := g.scalarType()
		s := map[string]any{"type": typ, "const": g.value(typ)}
		g.sprinkle(s, typ, g.c.intn(2))
		return s
	case 5:
		b := goBuiltins[g.c.intn(len(goBuiltins))]
		s := map[string]any{"type": b.typ, "x-go-type": b.name}
		if g.chance(20) {
			s["type"] = []any{b.typ, "null"}
		}
		if g.chance(15) {
			g.sprinkle(s, b.typ, 1)
		}
		return s
	case 6, 7:
		return g.nullable(g.object(depth - 1))
	case 8:
		s := map[string]any{"type": "array", "items": g.schema(depth - 1)}
		g.sprinkle(s, "array", g.c.intn(3))
		return g.nullable(s)
	case 9:
		s := map[string]any{"type": "object", "additionalProperties": g.schema(depth - 1)}
		g.sprinkle(s, "object", g.c.intn(2))
		return s
	case 10:
		var branches []any
		for range 1 + g.c.intn(3) {
			branches = append(branches, g.schema(depth-1))
		}
		if g.chance(25) {
			branches = append(branches, map[string]any{"type": "null"})
		}
		s := map[string]any{pick(g, []string{"oneOf", "anyOf"}): branches}
		if g.chance(20) {
			g.sprinkle(s, "object", 1)
		}
		return s
	case 11:
		parts := []any{map[string]any{"type": "object", "properties": g.props(depth - 1)}}
		for range 1 + g.c.intn(2) {
			part := map[string]any{"properties": g.props(depth - 1)}
			if req := g.required(part["properties"].(map[string]any)); len(req) > 0 {
				part["required"] = req
			}
			parts = append(parts, part)
		}
		return map[string]any{"allOf": parts}
	case 12:
		var prefix []any
		for range 1 + g.c.intn(3) {
			prefix = append(prefix, g.schema(depth-1))
		}
		s := map[string]any{"type": "array", "prefixItems": prefix}
		switch g.c.intn(3) {
		case 0:
			s["items"] = false
		case 1:
			s["items"] = g.schema(depth - 1)
		}
		g.sprinkle(s, "array", g.c.intn(2))
		return s
	case 13:
		return g.ref(depth - 1)
	case 14:
		// Shapes that stay JSON values: several types, no type, not, if.
		switch g.c.intn(5) {
		case 0:
			s := map[string]any{"type": []any{pick(g, []string{"string", "integer"}), pick(g, []string{"number", "boolean"}), "array"}}
			g.sprinkle(s, "string", g.c.intn(4))
			return s
		case 1:
			s := map[string]any{}
			g.sprinkle(s, "string", 1+g.c.intn(4))
			return s
		case 2:
			return map[string]any{"not": g.schema(depth - 1)}
		case 3:
			return map[string]any{"if": g.schema(depth - 1), "then": g.schema(depth - 1), "else": g.schema(depth - 1)}
		default:
			return map[string]any{"enum": []any{json.Number("1"), "a", nil, []any{json.Number("1")}, map[string]any{"k": json.Number("2")}, json.Number("1.0")}}
		}
	default:
		s := map[string]any{"type": "object", "properties": g.props(depth - 1)}
		if g.chance(50) {
			s["patternProperties"] = map[string]any{pick(g, shapePatterns): g.schema(depth - 1)}
		}
		if g.chance(50) {
			s["additionalProperties"] = g.schema(depth - 1)
		}
		g.sprinkle(s, "object", g.c.intn(2))
		return s
	}
}

// nullable sometimes lets a schema take null too.
func (g *shapeGen) nullable(s map[string]any) map[string]any {
	if !g.chance(20) {
		return s
	}
	if t, ok := s["type"].(string); ok {
		s["type"] = []any{t, "null"}
	}
	return s
}

func (g *shapeGen) props(depth int) map[string]any {
	props := map[string]any{}
	for range g.c.intn(4) {
		props[pick(g, shapeProps)] = g.schema(depth)
	}
	return props
}

func (g *shapeGen) required(props map[string]any) []any {
	var out []any
	for _, k := range slices.Sorted(mapKeys(props)) {
		if g.chance(60) {
			out = append(out, k)
		}
	}
	return out
}

func (g *shapeGen) object(depth int) map[string]any {
	props := g.props(depth)
	if len(props) == 0 {
		props[pick(g, shapeProps)] = g.schema(0)
	}
	s := map[string]any{"type": "object", "properties": props}
	if req := g.required(props); len(req) > 0 {
		s["required"] = req
	}
	if g.chance(20) {
		s["additionalProperties"] = false
	}
	g.sprinkle(s, "object", g.c.intn(3))
	return s
}

// ref makes a $defs entry (or reuses one) and refers to it.
func (g *shapeGen) ref(depth int) map[string]any {
	if len(g.defNames) > 0 && g.chance(40) {
		return map[string]any{"$ref": "#/result/$defs/" + pick(g, g.defNames)}
	}
	name := pick(g, shapeTypeNames)
	if _, ok := g.defs[name]; !ok {
		g.defs[name] = map[string]any{"type": "boolean"} // a placeholder while it is built, so that it may refer to itself
		g.defNames = append(g.defNames, name)
		g.defs[name] = g.schema(depth)
	}
	s := map[string]any{"$ref": "#/result/$defs/" + name}
	if g.chance(15) {
		g.sprinkle(s, "object", 1)
	}
	return s
}

// param is the schema of one parameter: something a source can take.
func (g *shapeGen) param() map[string]any {
	switch g.c.intn(6) {
	case 0:
		return map[string]any{"type": "string", "format": pick(g, shapeFormats)}
	case 1:
		typ := pick(g, []string{"string", "integer"})
		return map[string]any{"type": typ, "enum": g.enum(typ)}
	case 2:
		b := goBuiltins[g.c.intn(len(goBuiltins))]
		return map[string]any{"type": b.typ, "x-go-type": b.name}
	default:
		typ := g.scalarType()
		s := map[string]any{"type": typ}
		g.sprinkle(s, typ, g.c.intn(3))
		return s
	}
}

// task writes one task spec.
func (g *shapeGen) task(name string) map[string]any {
	g.defs = map[string]any{}
	g.defNames = nil
	params := map[string]any{}
	var required []any
	for range g.c.intn(3) {
		p := pick(g, shapeParams)
		if _, dup := params[p]; dup {
			continue
		}
		params[p] = g.param()
		if g.chance(70) {
			required = append(required, p)
		}
	}
	paramSchema := map[string]any{"type": "object", "properties": params}
	if len(required) > 0 {
		paramSchema["required"] = required
	}
	var result map[string]any
	if g.chance(75) {
		result = g.object(2)
	} else {
		result = g.schema(2)
	}
	if len(g.defs) > 0 {
		result["$defs"] = g.defs
	}
	spec := map[string]any{"name": name, "params": paramSchema, "result": result}
	var names []string
	for _, p := range slices.Sorted(mapKeys(params)) {
		names = append(names, p)
	}
	switch g.c.intn(4) {
	case 0:
		// Every required param in the path, the others in the query.
		path := "/t"
		query := map[string]any{}
		for _, p := range names {
			if slices.Contains(required, any(p)) {
				path += "/{" + p + "}"
			} else {
				query["q"+p] = "{" + p + "}"
			}
		}
		spec["source"] = map[string]any{"http": map[string]any{"connection": "api", "path": path, "query": query}}
	case 1:
		ptr := ""
		for _, p := range names {
			if slices.Contains(required, any(p)) {
				ptr += "/{" + p + "}"
			}
		}
		spec["source"] = map[string]any{"file": map[string]any{"path": "data.json", "pointer": ptr}}
	default:
		q := "SELECT * FROM t WHERE 1 = 1"
		for _, p := range names {
			q += " AND c = :" + p
		}
		spec["source"] = map[string]any{"sql": map[string]any{"connection": "db", "query": q}}
	}
	if g.chance(12) {
		g.batch(spec)
	}
	if g.chance(15) {
		// A fallback value: often rejected (it must match the result),
		// and when accepted it is compiled into the output.
		v := any(map[string]any{})
		if g.chance(40) {
			v = pick(g, []any{nil, json.Number("1"), "a", map[string]any{"id": json.Number("9223372036854775807"), "n": json.Number("1e308")}, []any{}})
		}
		spec["fallback"] = []any{map[string]any{"value": v}}
	}
	if g.chance(30) {
		spec["cache"] = map[string]any{"ttl": pick(g, []string{"0", "1ns", "90m", "2562047h", "1.5h"}), "negative_ttl": "1s"}
	}
	if g.chance(20) {
		spec["retry"] = map[string]any{"attempts": pick(g, numbers("1", "3", "100")), "initial_delay": "1ms", "max_delay": "1ms"}
	}
	return spec
}

// batch turns a spec into a batched one: one required key param, the
// same schema as a result property, and a batch form of the source.
func (g *shapeGen) batch(spec map[string]any) {
	key := g.param()
	spec["params"] = map[string]any{"type": "object", "required": []any{"id"}, "properties": map[string]any{"id": key}}
	result, ok := spec["result"].(map[string]any)
	if !ok || result["type"] != "object" {
		return
	}
	props, _ := result["properties"].(map[string]any)
	if props == nil {
		return
	}
	props["id"] = key
	req, _ := result["required"].([]any)
	if !slices.Contains(req, any("id")) {
		result["required"] = append(req, "id")
	}
	spec["batch"] = map[string]any{"max_size": pick(g, numbers("1", "100", "1e2", "10000")), "wait": "1ms"}
	// Not a Go source: its functions would have to exist beside the output.
	switch g.c.intn(2) {
	case 0:
		spec["source"] = map[string]any{"http": map[string]any{"connection": "api", "path": "/t/{id}",
			"batch": map[string]any{"path": "/t", "query": map[string]any{"id": "{id...}"}, "pointer": "/items"}}}
	default:
		spec["source"] = map[string]any{"sql": map[string]any{"connection": "db", "query": "SELECT * FROM t WHERE id = :id",
			"batch_query": "SELECT * FROM t WHERE id IN (:id)"}}
	}
}

// specs writes a folder's worth of task specs, by file name.
func (g *shapeGen) specs() map[string][]byte {
	n := 1 + g.c.intn(3)
	out := map[string][]byte{}
	used := map[string]bool{}
	for i := range n {
		name := pick(g, shapeTasks)
		if used[name] {
			continue
		}
		used[name] = true
		b, err := json.MarshalIndent(g.task(name), "", "  ")
		if err != nil {
			panic(err) // every value above marshals
		}
		out[fmt.Sprintf("t%d.task.json", i)] = b
	}
	return out
}

// describeSpecs shows a folder's specs, for failure messages.
func describeSpecs(files map[string][]byte) string {
	var b strings.Builder
	for _, name := range slices.Sorted(mapKeys(files)) {
		fmt.Fprintf(&b, "--- %s\n%s\n", name, files[name])
	}
	return b.String()
}
