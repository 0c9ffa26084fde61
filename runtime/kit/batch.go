package kit

import (
	"errors"
	"fmt"

	"github.com/reftask/reftask/runtime"
)

// InOrder lays results found by key out in the order of keys, nil for a
// key that was not found: the shape BatchPolicy.FetchMany returns.
func InOrder[K comparable, R any](keys []K, found map[K]*R) []*R {
	out := make([]*R, len(keys))
	for i, k := range keys {
		out[i] = found[k]
	}
	return out
}

// BatchRecords matches the records of a batch response (an array of
// records, or an object holding one) to keys: conv converts a record and
// keyOf reads its key.
func BatchRecords[K comparable, R any](raw any, conv func(any) (*R, error), keyOf func(*R) K) (map[K]*R, error) {
	arr, ok := raw.([]any)
	if !ok {
		if raw == nil {
			return map[K]*R{}, nil
		}
		return nil, runtime.Permanent(fmt.Errorf("the batch response holds %s where an array of records was expected", typeName(raw)))
	}
	out := make(map[K]*R, len(arr))
	for i, rec := range arr {
		r, err := conv(rec)
		if err != nil {
			return nil, runtime.Permanent(fmt.Errorf("record %d: %w", i, err))
		}
		k := keyOf(r)
		if _, dup := out[k]; dup {
			return nil, runtime.Permanent(fmt.Errorf("the batch response holds two records for key %s", quoteAny(k)))
		}
		out[k] = r
	}
	return out, nil
}

// BatchResult turns the per-key answers of DoMany into a map of the keys
// found and one error joining the other keys' failures; not-found keys are
// simply absent from the map.
func BatchResult[K comparable, R any](keys []K, res []*R, errs []error) (map[K]*R, error) {
	out := make(map[K]*R, len(keys))
	var failed []error
	for i, k := range keys {
		switch {
		case i < len(errs) && errs[i] != nil:
			if !runtime.IsNotFound(errs[i]) {
				failed = append(failed, errs[i])
			}
		case i < len(res) && res[i] != nil:
			out[k] = res[i]
		}
	}
	return out, errors.Join(failed...)
}
