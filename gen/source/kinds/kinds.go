// Package kinds lists the source kinds added through gen/source, one line per kind.
package kinds

import (
	"github.com/reftask/reftask/gen/source"
	"github.com/reftask/reftask/gen/source/filesrc"
	"github.com/reftask/reftask/gen/source/gofunc"
	"github.com/reftask/reftask/gen/source/httpsrc"
	"github.com/reftask/reftask/gen/source/redis"
	"github.com/reftask/reftask/gen/source/sqlsrc"
)

// All returns the registered kinds, in a fixed order: the order in which the meta-schema and its messages list
// them.
func All() []source.Kind {
	return []source.Kind{
		sqlsrc.Kind{},
		httpsrc.Kind{},
		filesrc.Kind{},
		gofunc.Kind{},
		redis.Kind{},
	}
}

// ByName returns the kind whose spec key is name, or nil.
func ByName(name string) source.Kind {
	for _, k := range All() {
		if k.Name() == name {
			return k
		}
	}
	return nil
}
