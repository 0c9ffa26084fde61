package g032

import (
	"context"
	"encoding/json"
)

// Source is the JSON Find decodes.
var Source []byte

func Find(ctx context.Context, p TParams) (*N0, error) {
	var r N0
	if err := json.Unmarshal(Source, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
