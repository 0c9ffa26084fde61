package runtime

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/reftask/reftask/runtime/internal/seam"
	"github.com/reftask/reftask/runtime/internal/secret"
)

// The HTTP source's guarantee that secrets never leave is tested end to end in runtime/source/httpsource
// (TestSecretsNeverLeave); these tests pin the engine's part of it: what a kind hands over with RememberSecrets
// is scrubbed from later errors, in the fields of the runtime's errors and of a kind's (seam.Scrubber) errors.

// kindError stands for a kind's error type whose fields quote what a server sent.
type kindError struct{ body string }

func (e *kindError) Error() string { return "kind: " + e.body }

func (e *kindError) ScrubSecrets(_ seam.Token, scrub func(string) string) { e.body = scrub(e.body) }

func TestRememberedSecretsScrubbed(t *testing.T) {
	const key = "k3y-0123456789"
	x := newTestExecutor(t)
	ve := &ValidationError{Violations: []Violation{{Pointer: "/" + key, Keyword: "pattern", Message: "bad " + key}}}
	if got := x.RedactSeen(seam.Token{}, ve); got != error(ve) || ve.Violations[0].Message != "bad "+key {
		t.Fatalf("scrubbed before any secret was remembered: %v", got)
	}
	x.RememberSecrets(seam.Token{}, []secret.Secret{secret.New("env:KEY", key)})
	ke := &kindError{body: "echo " + key}
	ce := &ConvError{Path: "/" + key, Value: key}
	te := &TaskError{Task: "T", Key: "id=" + key, Err: errors.Join(ve, Permanent(ke), fmt.Errorf("conv: %w", ce))}
	err := x.RedactSeen(seam.Token{}, te)
	for _, s := range []string{err.Error(), ve.Violations[0].Pointer, ve.Violations[0].Message, ke.body, ce.Path, ce.Value, te.Key} {
		if strings.Contains(s, key) || strings.Contains(s, "0123456789") {
			t.Errorf("shows the secret: %s", s)
		}
	}
	if !strings.Contains(ke.body, "[REDACTED env:KEY]") {
		t.Errorf("kind error's field not scrubbed: %q", ke.body)
	}
	var got *kindError
	if !errors.As(err, &got) || !IsPermanent(err) || !errors.As(err, new(*ConvError)) {
		t.Errorf("chain lost: %v", err)
	}
}
