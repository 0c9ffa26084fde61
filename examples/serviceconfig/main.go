// Command serviceconfig reads service configuration from a YAML file with
// GetServiceConfig, then edits the file while it runs: the change is picked
// up without a restart, and a broken edit keeps the last good version.
package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/reftask/reftask/examples/serviceconfig/configs"
	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/source/filesource"
)

//go:embed config/services.yaml
var initialConfig []byte

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer) error {
	// The example edits its configuration, so it works on a copy.
	root, err := os.MkdirTemp("", "reftask-serviceconfig-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(root)
	path := filepath.Join(root, "config", "services.yaml")
	if err := writeAtomically(path, initialConfig); err != nil {
		return err
	}

	reloaded := make(chan error, 8)
	exec, err := runtime.New(
		runtime.WithSource(filesource.Dir(root, filesource.Poll(20*time.Millisecond))),
		runtime.WithHooks(runtime.Hooks{OnReload: func(_ context.Context, e runtime.FileEvent) {
			select {
			case reloaded <- e.Err:
			default:
			}
		}}),
	)
	if err != nil {
		return err
	}
	defer exec.Close()
	c := configs.NewClient(exec)

	cfg, err := c.GetServiceConfig(ctx, "payment_gateway")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "payment_gateway: %s, timeout %dms, enabled %v, owner %s\n", cfg.URL, cfg.TimeoutMs, cfg.Enabled, owner(cfg.Owner))
	mail, err := c.GetServiceConfig(ctx, "email_sender")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "email_sender:    %s, timeout %dms, enabled %v, owner %s\n", mail.URL, mail.TimeoutMs, mail.Enabled, owner(mail.Owner))
	_, err = c.GetServiceConfig(ctx, "search")
	fmt.Fprintf(w, "search:          not configured (not found: %v)\n", errors.Is(err, runtime.ErrNotFound))

	// An operator raises the timeout while the program runs.
	edited := strings.Replace(string(initialConfig), "timeout_ms: 1500", "timeout_ms: 2500", 1)
	if err := writeAtomically(path, []byte(edited)); err != nil {
		return err
	}
	if err := waitReload(reloaded); err != nil {
		return fmt.Errorf("reload failed: %w", err)
	}
	cfg, err = c.GetServiceConfig(ctx, "payment_gateway")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "after the edit:  payment_gateway timeout %dms (picked up without a restart)\n", cfg.TimeoutMs)

	// A broken edit: the last good version keeps serving, and Health says why.
	if err := writeAtomically(path, []byte("services: [oops\n")); err != nil {
		return err
	}
	if err := waitReload(reloaded); err == nil {
		return errors.New("a broken file was accepted")
	}
	cfg, err = c.GetServiceConfig(ctx, "payment_gateway")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "broken edit:     still timeout %dms; health: %v\n", cfg.TimeoutMs, exec.Health() != nil)
	return nil
}

func waitReload(ch <-chan error) error {
	select {
	case err := <-ch:
		return err
	case <-time.After(10 * time.Second):
		return errors.New("no reload within 10s")
	}
}

func owner(o runtime.OptNull[string]) string {
	switch {
	case !o.Set:
		return "(not set)"
	case o.Null:
		return "(nobody)"
	}
	return o.Value
}

// writeAtomically replaces a file the way config deployers do, so that the
// runtime never reads half of it.
func writeAtomically(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
