package core

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reftask/reftask/runtime/internal/wire"
	"github.com/reftask/reftask/runtime/tier"
)

// prefixTier records the prefixes it is asked to delete; a panicking one checks that the tier calls recover.
type prefixTier struct {
	mu       sync.Mutex
	prefixes []string
	panics   bool
}

func (p *prefixTier) Get(context.Context, string) ([]byte, bool, error)      { return nil, false, nil }
func (p *prefixTier) Set(context.Context, string, []byte, tier.Expiry) error { return nil }
func (p *prefixTier) Delete(context.Context, string) error                   { return nil }
func (p *prefixTier) DeletePrefix(_ context.Context, prefix string) error {
	if p.panics {
		panic("tier down")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.prefixes = append(p.prefixes, prefix)
	return nil
}

func newState() *State {
	s := &State{}
	s.Init()
	return s
}

func TestState(t *testing.T) {
	tests := []struct {
		name  string
		check func(t *testing.T, s *State)
	}{
		{"a generation is made on first use and shared", func(t *testing.T, s *State) {
			if s.Generation("T") != s.Generation("T") || s.Generation("T") == s.Generation("U") {
				t.Fatal("generations not one per task name")
			}
		}},
		{"a shared value is made once; nil is not kept", func(t *testing.T, s *State) {
			made := 0
			mk := func() any { made++; return &made }
			if a, b := s.Shared("k", mk), s.Shared("k", mk); a != b || made != 1 {
				t.Fatalf("made %d times", made)
			}
			nils := 0
			mkNil := func() any { nils++; return nil }
			s.Shared("n", mkNil)
			s.Shared("n", mkNil)
			if nils != 2 {
				t.Fatalf("nil kept: made %d times", nils)
			}
		}},
		{"a gate is one per spec", func(t *testing.T, s *State) {
			if s.Gate("T", "v1") != s.Gate("T", "v1") || s.Gate("T", "v1") == s.Gate("T", "v2") {
				t.Fatal("gates not one per spec")
			}
		}},
		{"large buffers are not pooled", func(t *testing.T, s *State) {
			sc := s.GetScratch()
			sc.Key = make([]byte, 0, 8<<10)
			sc.Entry = make([]byte, 0, 32<<10)
			s.PutScratch(sc)
			if cap(sc.Key) > 4<<10 || sc.Entry != nil {
				t.Fatalf("kept buffers of %d and %d bytes", cap(sc.Key), cap(sc.Entry))
			}
		}},
		{"InvalidateTask bumps the generation and drops its prefix per spec version", func(t *testing.T, s *State) {
			tr := &prefixTier{}
			s.Tiers = []tier.Tier{tr}
			s.Gate("T", "v1")
			s.Gate("T", "v2")
			s.Gate("U", "v1")
			s.InvalidateTask("T")
			if g := s.Generation("T").Load(); g != 1 {
				t.Fatalf("generation %d, want 1", g)
			}
			want := map[string]bool{}
			for _, v := range []string{"v1", "v2"} {
				want[string(wire.AppendString(wire.AppendString(nil, "T"), v))+"\x00"] = true
			}
			if len(tr.prefixes) != 2 || !want[tr.prefixes[0]] || !want[tr.prefixes[1]] {
				t.Fatalf("prefixes %q", tr.prefixes)
			}
		}},
		{"a panicking tier is an error", func(t *testing.T, s *State) {
			err := s.TierDelete(context.Background(), &prefixTier{panics: true}, "p", true)
			var pe *PanicError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), "cache tier") {
				t.Fatalf("err = %v, want a PanicError", err)
			}
		}},
		{"the clock follows Now when set", func(t *testing.T, s *State) {
			at := time.Unix(1_700_000_000, 0)
			s.Now = func() time.Time { return at }
			if s.Nanos() != at.UnixNano() {
				t.Fatalf("Nanos %d", s.Nanos())
			}
		}},
		{"CtxErr adds a distinct cause", func(t *testing.T, s *State) {
			cause := errors.New("shutting down")
			ctx, cancel := context.WithCancelCause(context.Background())
			cancel(cause)
			if err := CtxErr(ctx); !errors.Is(err, context.Canceled) || !errors.Is(err, cause) {
				t.Fatalf("err = %v", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, newState()) })
	}
}
