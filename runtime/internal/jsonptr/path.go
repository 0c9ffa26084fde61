package jsonptr

import (
	"strconv"
	"strings"
)

// Path is a JSON pointer built lazily on the stack while generated
// validators descend into a value: the string is only made when a
// violation is reported, so validating a valid value allocates nothing.
type Path struct {
	parent *Path
	key    string
	index  int
	isIdx  bool
	isKey  bool // a property, possibly named "": the zero Path (neither) is the root
}

// Key returns the path of property name below p (p may be nil: the root).
func (p *Path) Key(name string) Path { return Path{parent: p, key: name, isKey: true} }

// Index returns the path of array element i below p.
func (p *Path) Index(i int) Path { return Path{parent: p, index: i, isIdx: true} }

// String renders the path as an RFC 6901 JSON pointer; the root is "".
func (p *Path) String() string {
	if p == nil || (!p.isKey && !p.isIdx) {
		return ""
	}
	var parts []string
	for q := p; q != nil; q = q.parent {
		if !q.isKey && !q.isIdx {
			break
		}
		if q.isIdx {
			parts = append(parts, strconv.Itoa(q.index))
		} else {
			parts = append(parts, Escape(q.key))
		}
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(parts[i])
	}
	return b.String()
}
