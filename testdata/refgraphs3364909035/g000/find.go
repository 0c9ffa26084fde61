package g000

import (
	"context"
	"encoding/json"
)

// Source is the JSON Find decodes.
var Source []byte

func Find(ctx context.Context, p TParams) (*TResult, error) {
	var r TResult
	if err := json.Unmarshal(Source, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
