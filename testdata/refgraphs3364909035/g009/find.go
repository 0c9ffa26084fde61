package g009

import (
	"context"
	"encoding/json"
)

// Source is the JSON Find decodes.
var Source []byte

func Find(ctx context.Context, p TParams) (*N3, error) {
	var r N3
	if err := json.Unmarshal(Source, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
