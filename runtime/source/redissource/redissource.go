// Package redissource is the Redis source kind: reference data stored under
// Redis keys, as JSON text in a string key or as the fields of a hash, read
// by key templates such as "sku:{sku}".
//
// Bind a client under the connection name that specs use:
//
//	x, err := runtime.New(runtime.WithSource(redissource.Bind("refdata", client)))
//
// The client is github.com/redis/go-redis/v9 (any redis.UniversalClient: a
// *redis.Client, a *redis.ClusterClient, a failover or ring client). It was
// chosen over rueidis because it is the client Go programs that use Redis
// most often already hold, so binding it costs the user no second connection
// pool, and because its hooks let callers observe each round trip. Binding
// does not take the client over: Close leaves it open for its owner.
//
// A "string" key holds one JSON document as text (decoded with exact
// numbers). A "hash" key reads with HGETALL as an object whose values are
// strings, which the generated converters turn into the result's types (a
// field "12" into an integer, say). A missing key is runtime.ErrNotFound.
// Modules such as RedisJSON are not used: a JSON document is a string value.
//
// A batch is one round trip: one pipeline of GETs or HGETALLs, in which
// each key answers as it would alone.
package redissource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/reftask/reftask/runtime"
	"github.com/reftask/reftask/runtime/internal/seam"
	"github.com/reftask/reftask/runtime/kit"
)

// Kind is the name of this source kind in specs ("source": {"redis": ...}).
const Kind = "redis"

// Conn is a Redis client bound under a connection name; it implements source.Source.
type Conn struct {
	name   string
	client redis.UniversalClient
}

// Bind binds client under name, for runtime.WithSource.
func Bind(name string, client redis.UniversalClient) *Conn {
	return &Conn{name: name, client: client}
}

// Kind returns "redis".
func (c *Conn) Kind() string { return Kind }

// Name returns the connection name specs refer to.
func (c *Conn) Name() string { return c.name }

// Validate reports a binding without a client.
func (c *Conn) Validate() error {
	if c.client == nil {
		return errors.New("nil Redis client")
	}
	return nil
}

// Check pings the server: nil means it answers.
func (c *Conn) Check(ctx context.Context) error {
	if err := c.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("reftask: redis connection %q: %w", c.name, err)
	}
	return nil
}

// Close does nothing: the client belongs to whoever bound it, who may use it elsewhere.
func (c *Conn) Close() error { return nil }

// Type is how a key stores its record.
type Type int

// The value types of a Redis key.
const (
	String Type = iota + 1 // a string value holding JSON text
	Hash                   // a hash, read with HGETALL as an object of strings
)

// String returns the type as specs spell it.
func (t Type) String() string {
	switch t {
	case String:
		return "string"
	case Hash:
		return "hash"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// Key is a key template split at its {param} placeholders at generate time:
// len(Parts) == len(Params)+1. Generated code builds one per task.
type Key struct {
	conn   string
	typ    Type
	parts  []string
	params []string
	err    error // a malformed template, reported by every lookup instead of panicking at init
}

// NewKey builds the key template of a task reading typ values on connection conn.
func NewKey(conn string, typ Type, parts, params []string) *Key {
	k := &Key{conn: conn, typ: typ, parts: append([]string(nil), parts...), params: append([]string(nil), params...)}
	switch {
	case len(parts) != len(params)+1:
		k.err = fmt.Errorf("key template for connection %q has %d parts for %d params, want %d parts", conn, len(parts), len(params), len(params)+1)
	case typ != String && typ != Hash:
		k.err = fmt.Errorf("key template for connection %q: unknown value type %v", conn, typ)
	}
	return k
}

// Render returns the key for the param values vals, given in the template's param order as the cache key
// renders them.
func (k *Key) Render(vals []string) (string, error) {
	if k.err != nil {
		return "", runtime.Permanent(fmt.Errorf("reftask: %w", k.err))
	}
	if len(vals) != len(k.params) {
		return "", runtime.Permanent(fmt.Errorf("reftask: key template for connection %q takes %d values, got %d", k.conn, len(k.params), len(vals)))
	}
	if len(vals) == 0 {
		return k.parts[0], nil
	}
	var b strings.Builder
	for i, p := range k.parts {
		b.WriteString(p)
		if i < len(vals) {
			b.WriteString(vals[i])
		}
	}
	return b.String(), nil
}

// Get reads the record under the key that vals render and converts it with conv; a missing key is
// runtime.ErrNotFound.
func Get[R any](ctx context.Context, x *runtime.Executor, task string, k *Key, vals []string, conv func(any) (*R, error)) (*R, error) {
	key, err := k.Render(vals)
	if err != nil {
		return nil, err
	}
	c, err := seam.Lookup[*Conn](x, Kind, k.conn)
	if err != nil {
		return nil, err
	}
	var raw any
	switch k.typ {
	case String:
		s, err := c.client.Get(ctx, key).Result()
		if err != nil {
			return nil, c.fail(ctx, task, key, err)
		}
		if raw, err = decodeDoc(s); err != nil {
			return nil, runtime.Permanent(c.describe(task, key, err))
		}
	case Hash:
		m, err := c.client.HGetAll(ctx, key).Result()
		if err != nil {
			return nil, c.fail(ctx, task, key, err)
		}
		if len(m) == 0 { // Redis has no empty hash: HGETALL of a missing key answers an empty one
			return nil, runtime.ErrNotFound
		}
		raw = hashRecord(m)
	}
	return convert(c, task, key, raw, conv)
}

// GetMany reads the records under the keys that each of vals renders, in one round trip, and converts them:
// one result per element of vals, in order, nil where the key is missing. Its shape is BatchPolicy.FetchMany's.
func GetMany[R any](ctx context.Context, x *runtime.Executor, task string, k *Key, vals [][]string, conv func(any) (*R, error)) ([]*R, error) {
	out := make([]*R, len(vals))
	if len(vals) == 0 {
		return out, nil
	}
	keys := make([]string, len(vals))
	for i, v := range vals {
		key, err := k.Render(v)
		if err != nil {
			return nil, err
		}
		keys[i] = key
	}
	c, err := seam.Lookup[*Conn](x, Kind, k.conn)
	if err != nil {
		return nil, err
	}
	raws, err := c.fetchMany(ctx, task, k.typ, keys)
	if err != nil {
		return nil, err
	}
	for i, raw := range raws {
		if raw == nil {
			continue
		}
		if out[i], err = convert(c, task, keys[i], raw.v, conv); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// found is one record a batch read; nil stands for a missing key, so a JSON null document is still a record.
type found struct{ v any }

// fetchMany reads keys in one round trip: one pipeline of GETs or HGETALLs. A pipeline rather than MGET, so that
// each key answers as it would alone (MGET answers nil for a key of another type, where GET fails with WRONGTYPE),
// and so that a cluster client can split it by hash slot (a cluster's MGET cannot span slots).
func (c *Conn) fetchMany(ctx context.Context, task string, typ Type, keys []string) ([]*found, error) {
	out := make([]*found, len(keys))
	cmds := make([]redis.Cmder, len(keys))
	_, err := c.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, key := range keys {
			if typ == String {
				cmds[i] = p.Get(ctx, key)
			} else {
				cmds[i] = p.HGetAll(ctx, key)
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		// The pipeline's error is its first failed command's: find which, to name its key.
		for i, cmd := range cmds {
			if e := cmd.Err(); e != nil && !errors.Is(e, redis.Nil) {
				return nil, c.fail(ctx, task, keys[i], e)
			}
		}
		return nil, c.fail(ctx, task, keys[0], err)
	}
	for i, cmd := range cmds {
		switch cmd := cmd.(type) {
		case *redis.StringCmd:
			s, err := cmd.Result()
			if errors.Is(err, redis.Nil) {
				continue
			}
			doc, err := decodeDoc(s)
			if err != nil {
				return nil, runtime.Permanent(c.describe(task, keys[i], err))
			}
			out[i] = &found{doc}
		case *redis.MapStringStringCmd:
			if m := cmd.Val(); len(m) > 0 {
				out[i] = &found{hashRecord(m)}
			}
		}
	}
	return out, nil
}

// convert runs the generated converter; its failures are permanent, since the same value converts the same way
// next time.
func convert[R any](c *Conn, task, key string, raw any, conv func(any) (*R, error)) (*R, error) {
	r, err := conv(raw)
	if err != nil {
		if runtime.IsNotFound(err) {
			return nil, err
		}
		return nil, runtime.Permanent(c.describe(task, key, err))
	}
	return r, nil
}

// hashRecord makes a hash a record: an object whose values are strings.
func hashRecord(m map[string]string) map[string]any {
	rec := make(map[string]any, len(m))
	for f, v := range m {
		rec[f] = v
	}
	return rec
}

// decodeDoc decodes one JSON document with exact numbers; anything after it is an error.
func decodeDoc(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("the value is not JSON text: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("the value holds more than one JSON document")
	}
	return v, nil
}

// describe wraps err with the task, connection and key, the key cut short as values in errors are.
func (c *Conn) describe(task, key string, err error) error {
	return fmt.Errorf("reftask: task %s: redis %q key %s: %w", task, c.name, kit.Quote(key), err)
}

// fail classifies a command's error: redis.Nil is not found; a server's error reply is permanent unless the
// server says to try again; network errors and timeouts stay retryable, as do context errors, which the executor
// tells apart (its attempt timeout, or the caller leaving).
func (c *Conn) fail(ctx context.Context, task, key string, err error) error {
	if errors.Is(err, redis.Nil) {
		return runtime.ErrNotFound
	}
	err = c.describe(task, key, err)
	if ctx.Err() != nil {
		return err
	}
	var reply redis.Error
	if errors.As(err, &reply) && !transientReply(reply.Error()) {
		return runtime.Permanent(err)
	}
	return err
}

// transientReply reports server replies that a later attempt may not see: a server loading its data set, busy
// with a script, or a cluster moving slots or without a master.
func transientReply(msg string) bool {
	for _, p := range [...]string{"LOADING", "BUSY", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "READONLY", "MOVED", "ASK"} {
		if strings.HasPrefix(msg, p+" ") || msg == p {
			return true
		}
	}
	return false
}
