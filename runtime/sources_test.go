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

// TestBuiltInKindsAreBound: WithHTTP and the file options bind sources of the kinds http and file,
// which the seam finds and Check probes; a kind's name taken by a user's binding is an error, not an overwrite.
func TestBuiltInKindsAreBound(t *testing.T) {
	x := newTestExecutor(t, WithHTTP("api", "http://127.0.0.1:1"), WithFileRoot(t.TempDir()), WithFilePoll(0))
	ctx := context.Background()
	for _, k := range []struct{ kind, name string }{{"http", "api"}, {"file", "root"}} {
		s, err := x.BoundSource(seam.Token{}, k.kind, k.name)
		if err != nil || s.Kind() != k.kind || s.Name() != k.name {
			t.Fatalf("%s/%s: %v, %v", k.kind, k.name, s, err)
		}
	}
	files, _ := x.BoundSource(seam.Token{}, "file", "root")
	if err := files.Check(ctx); err != nil {
		t.Errorf("file root with nothing failing: %v", err)
	}
	if _, err := New(WithSource(&fakeKind{kind: "file", name: "root"}), WithFileRoot(t.TempDir())); err == nil || !strings.Contains(err.Error(), "already bound") {
		t.Errorf("file root over a user's binding: %v", err)
	}
}
