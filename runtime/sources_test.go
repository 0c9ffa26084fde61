package runtime

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/reftask/reftask/runtime/internal/seam"
	bound "github.com/reftask/reftask/runtime/source"
)

// fakeKind is a source kind of a user's own: what WithSource and the seam need, and a log of its closing.
type fakeKind struct {
	kind, name string
	invalid    error
	closeErr   error
	closed     *[]string
}

func (f *fakeKind) Kind() string                { return f.kind }
func (f *fakeKind) Name() string                { return f.name }
func (f *fakeKind) Check(context.Context) error { return nil }
func (f *fakeKind) Validate() error             { return f.invalid }
func (f *fakeKind) Close() error {
	if f.closed != nil {
		*f.closed = append(*f.closed, f.kind+"/"+f.name)
	}
	return f.closeErr
}

// otherKind is a second kind type, to see Lookup refuse a binding of the wrong Go type.
type otherKind struct{ fakeKind }

func TestWithSourceRejects(t *testing.T) {
	cases := []struct {
		name string
		opts []Option
		want string
	}{
		{"nil", []Option{WithSource(nil)}, "nil source"},
		{"empty kind", []Option{WithSource(&fakeKind{name: "a"})}, "empty kind"},
		{"empty name", []Option{WithSource(&fakeKind{kind: "k"})}, "empty connection name"},
		{"invalid", []Option{WithSource(&fakeKind{kind: "k", name: "a", invalid: errors.New("nil client")})}, `WithSource k "a": nil client`},
		{"twice", []Option{WithSource(&fakeKind{kind: "k", name: "a"}), WithSource(&fakeKind{kind: "k", name: "a"})}, "bound twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x, err := New(c.opts...)
			if err == nil {
				x.Close()
				t.Fatal("New accepted the binding")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not say %q", err, c.want)
			}
		})
	}
}

func TestBoundSourceLookup(t *testing.T) {
	var closed []string
	a := &fakeKind{kind: "k", name: "main", closed: &closed}
	// Kinds have their own names: another kind may use "main" too.
	b := &otherKind{fakeKind{kind: "j", name: "main", closed: &closed, closeErr: errors.New("boom")}}
	x, err := New(WithSource(a), WithSource(b))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		kind, name string
		want       bound.Source
		permanent  bool
	}{
		{"k", "main", a, false},
		{"j", "main", b, false},
		{"k", "other", nil, true},
		{"redis", "main", nil, true},
	}
	for _, c := range cases {
		got, err := x.BoundSource(seam.Token{}, c.kind, c.name)
		if got != c.want {
			t.Errorf("%s/%s: got %v, want %v", c.kind, c.name, got, c.want)
		}
		if (err != nil) != c.permanent || (err != nil && !IsPermanent(err)) {
			t.Errorf("%s/%s: error %v, want permanent=%v", c.kind, c.name, err, c.permanent)
		}
	}
	if s, err := seam.Lookup[*fakeKind](x, "k", "main"); err != nil || s != a {
		t.Errorf("Lookup as its own type: %v, %v", s, err)
	}
	if _, err := seam.Lookup[*fakeKind](x, "j", "main"); !IsPermanent(err) || !strings.Contains(err.Error(), "not a *runtime.fakeKind") {
		t.Errorf("Lookup as another type: %v", err)
	}

	err = x.Close()
	if err == nil || !strings.Contains(err.Error(), `j "main": boom`) {
		t.Errorf("Close error %v does not name the failing source", err)
	}
	if strings.Join(closed, ",") != "j/main,k/main" {
		t.Errorf("closed %v, want the last bound first", closed)
	}
	if _, err := x.BoundSource(seam.Token{}, "k", "main"); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
	if err := x.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if len(closed) != 2 {
		t.Errorf("sources closed again by the second Close: %v", closed)
	}
}

// TestBuiltInKindsAreBound: a kind's name taken by another binding is an error, not an overwrite, for the built-in
// kinds too. (Each kind's own binding is tested in its package under runtime/source.)
func TestBuiltInKindsAreBound(t *testing.T) {
	if _, err := New(WithSource(&fakeKind{kind: "file", name: "root"}), WithSource(&fakeKind{kind: "file", name: "root"})); err == nil || !strings.Contains(err.Error(), "bound twice") {
		t.Errorf("a kind and name bound twice: %v", err)
	}
}

// runnerKind is a source that runs alongside the executor and reports health; log records Start, Stop and Close.
type runnerKind struct {
	fakeKind
	log      *[]string
	startErr error
	health   error
	host     seam.Host
}

func (r *runnerKind) Start(h seam.Host) error {
	*r.log = append(*r.log, "start "+r.name)
	r.host = h
	return r.startErr
}

func (r *runnerKind) Stop()         { *r.log = append(*r.log, "stop "+r.name) }
func (r *runnerKind) Health() error { return r.health }

func (r *runnerKind) Close() error {
	*r.log = append(*r.log, "close "+r.name)
	return nil
}

// TestRunnersAndHealth: New starts the sources that run alongside it in binding order, once every option was
// applied, handing them the executor; Close stops them, the last first, before closing the sources; a failed
// start fails New and stops those already started. Health joins what every reporting source says.
func TestRunnersAndHealth(t *testing.T) {
	var log []string
	a := &runnerKind{fakeKind: fakeKind{kind: "k", name: "a"}, log: &log}
	b := &runnerKind{fakeKind: fakeKind{kind: "k", name: "b"}, log: &log, health: errors.New("b degraded")}
	var reloads []FileEvent
	x, err := New(WithSource(a), WithSource(&fakeKind{kind: "plain", name: "p"}), WithSource(b),
		WithHooks(Hooks{OnReload: func(_ context.Context, e FileEvent) { reloads = append(reloads, e) }}))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(log, ","); got != "start a,start b" {
		t.Errorf("started %q, want a then b", got)
	}
	if a.host != seam.Host(x) {
		t.Error("Start was not handed the executor")
	}
	if err := x.Health(); err == nil || err.Error() != "b degraded" {
		t.Errorf("Health = %v, want b's report", err)
	}
	a.health = errors.New("a degraded")
	if err := x.Health(); err == nil || err.Error() != "a degraded\nb degraded" {
		t.Errorf("Health = %q, want both reports in binding order", err)
	}
	a.host.ReportReload(seam.Token{}, context.Background(), "c.json", nil)
	if len(reloads) != 1 || reloads[0].Path != "c.json" || reloads[0].Err != nil {
		t.Errorf("OnReload saw %+v", reloads)
	}
	log = nil
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(log, ","); got != "stop b,stop a,close b,close a" {
		t.Errorf("Close did %q", got)
	}

	log = nil
	c := &runnerKind{fakeKind: fakeKind{kind: "k", name: "c"}, log: &log}
	d := &runnerKind{fakeKind: fakeKind{kind: "k", name: "d"}, log: &log, startErr: errors.New("no directory")}
	if _, err := New(WithSource(c), WithSource(d)); err == nil || !strings.Contains(err.Error(), `start k "d": no directory`) {
		t.Errorf("failed start: %v", err)
	}
	if got := strings.Join(log, ","); got != "start c,start d,stop d,stop c" {
		t.Errorf("after a failed start: %q", got)
	}
	if err := (*Executor)(nil).Health(); err != nil {
		t.Errorf("nil executor: %v", err)
	}
}
