package runtime_test

import (
	"context"
	"fmt"

	"github.com/reftask/reftask/runtime"
)

// prices is a source kind of the user's own: a price list kept in memory, which Go source functions read.
type prices struct{ list map[string]int }

func (p *prices) Kind() string                { return "prices" }
func (p *prices) Name() string                { return "eu" }
func (p *prices) Check(context.Context) error { return nil }
func (p *prices) Close() error {
	fmt.Println("prices closed")
	return nil
}

// ExampleWithSource binds a source of a kind of the user's own; the executor closes it on Close. The kinds
// reftask ships bind the same way, as runtime.WithSource(redissource.Bind("refdata", client)).
func ExampleWithSource() {
	p := &prices{list: map[string]int{"A1": 1250}}
	x, err := runtime.New(runtime.WithSource(p))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("ready:", p.Check(context.Background()) == nil)
	_ = x.Close()
	// Output:
	// ready: true
	// prices closed
}
